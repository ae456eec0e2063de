using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Money;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Testing;

/// <summary>Small, readable test data shared by the suites.</summary>
public static class Fixtures
{
    public static readonly Currency Gbp = new("GBP");

    public const string CdrHeader = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id";

    public static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    /// <summary>44: 1.00/min 60/60 (a 60 s grant costs exactly 1.00); 4420: 0.60/min 30/6 with a 0.05 connect fee; 33: 0.15/min 1/1.</summary>
    public const string DeckCsv = """
        prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to
        44,United Kingdom,1.00,0,60,60,,
        4420,United Kingdom London,0.60,0.05,30,6,,
        33,France,0.15,0,1,1,,
        """;

    public static RateDeck Deck(string deckId = "test-deck") =>
        RateDeckParser.Parse(deckId, DeckCsv).Deck ?? throw new InvalidOperationException("the fixture deck is invalid");

    public static AccountSettings Prepaid(string deckId = "test-deck") =>
        new("Prepaid Co", AccountMode.Prepaid, Gbp, null, false, deckId, 1, "Europe/London", new TaxSettings(TaxTreatment.Standard, 0.20m));

    public static AccountSettings Postpaid(decimal limit, bool hard, string deckId = "test-deck") =>
        new("Postpaid Co", AccountMode.Postpaid, Gbp, limit, hard, deckId, 1, "Europe/London", new TaxSettings(TaxTreatment.Standard, 0.20m));

    /// <summary>Every character RFC 3261 allows in a Call-ID word (with <c>@</c> between two words), <c>/ \ ? " %</c> among them.</summary>
    public const string CallIdAlphabet = "abcXYZ019-.!%*_+`'~()<>:\\\"/[]?{}";

    /// <summary>
    /// A SIP Call-ID of <paramref name="length"/> characters (at most 256, the session id bound) that holds every
    /// character of <see cref="CallIdAlphabet"/> and ends in <paramref name="unique"/> (a GUID keeps tests apart).
    /// </summary>
    public static string CallId(string unique, int length = 256)
    {
        var head = $"{CallIdAlphabet}@{unique}";
        return length < head.Length ? throw new ArgumentOutOfRangeException(nameof(length)) : new string('~', length - head.Length) + head;
    }

    /// <summary>The ledger invariants of ARCHITECTURE.md (conservation), as an assertion.</summary>
    public static void AssertConserved(AccountState account)
    {
        Assert.Equal(account.OpeningBalance + account.TopUps - account.Committed, account.Balance);
        Assert.Equal(account.Sessions.Values.Sum(s => s.Reserved), account.Reserved);
        Assert.All(account.Sessions.Values, s => Assert.True(s.Reserved >= 0m, $"session {s.SessionId} holds a negative reservation"));
    }
}
