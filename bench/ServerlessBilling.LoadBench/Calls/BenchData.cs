using System.Globalization;
using ServerlessBilling.LoadBench.Stores;

namespace ServerlessBilling.LoadBench.Calls;

/// <summary>The deck and accounts every scenario uses: pre-paid accounts with money enough for any run.</summary>
internal static class BenchData
{
    public const string DeckId = "loadbench";

    /// <summary>A call to +44 20 … matches 4420 (0.008/min, 30/6): a 60 s grant reserves 0.008, 42 s used charge 0.0056.</summary>
    public const string DeckCsv = """
        prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to
        44,United Kingdom,0.0100,0,60,60,,
        447,United Kingdom Mobile,0.0400,0,30,6,,
        4420,United Kingdom London,0.0080,0,30,6,,
        33,France,0.0150,0,60,60,,
        1,United States and Canada,0.0050,0,6,6,,
        """;

    public const string CallingNumber = "+441134960000";

    public const string CalledNumber = "+442071234567";

    public const int RequestedSeconds = 60;

    public const int UsedSeconds = 42;

    /// <summary>Opening balance: far more than any run can spend, so no call is refused for credit.</summary>
    public const decimal OpeningBalance = 1_000_000_000m;

    public static readonly Currency Gbp = new("GBP");

    public static AccountSettings Prepaid() =>
        new("Load bench", AccountMode.Prepaid, Gbp, null, false, DeckId, 1, "Europe/London", TaxSettings.None);

    public static string[] Ids(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{prefix}{i:D6}")).ToArray();

    public static Task ImportDeckAsync(AccountService admin, CancellationToken cancellationToken) =>
        BenchAdmin.ImportDeckAsync(admin, DeckId, DeckCsv, cancellationToken);

    /// <summary>Opens <paramref name="count"/> pre-paid accounts "{prefix}000000"…; answers their ids.</summary>
    public static async Task<string[]> OpenAsync(AccountService admin, string prefix, int count, int parallel, CancellationToken cancellationToken)
    {
        var ids = Ids(prefix, count);
        await BenchAdmin.OpenAsync(admin, ids, _ => (Prepaid(), OpeningBalance), parallel, cancellationToken);
        return ids;
    }
}

/// <summary>Account documents as credit control leaves them: after N calls, holding N closed sessions.</summary>
internal static class BenchDocuments
{
    public static AccountState WithClosedSessions(string accountId, int sessions, DateTimeOffset now)
    {
        var rules = new CreditControlRules(new CreditControlOptions());
        var deck = RateDeckParser.Parse(BenchData.DeckId, BenchData.DeckCsv).Deck!;
        var state = AccountState.Open(accountId, BenchData.Prepaid(), BenchData.OpeningBalance, now);
        for (var i = 0; i < sessions; i++)
        {
            var sessionId = "old-" + i.ToString(CultureInfo.InvariantCulture);
            var grant = rules.Authorize(state, deck, new AuthorizeRequest(sessionId, accountId, BenchData.CallingNumber, BenchData.CalledNumber, null, BenchData.RequestedSeconds), now);
            state = rules.Terminate(grant.Next!, new TerminateRequest(sessionId, 1, BenchData.UsedSeconds), now).Next!;
        }

        return state;
    }
}
