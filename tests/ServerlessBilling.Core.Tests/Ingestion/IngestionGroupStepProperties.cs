using System.Globalization;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// The group step (<see cref="IngestionRules.Apply"/>, one document built per group) against the reference path
/// (<see cref="IngestionRules.ApplyEach"/>, the document's own rules a CDR at a time): the same stored document, byte for
/// byte, and the same outcome for every CDR (usage record, quarantine reason, duplicate, closed session). The groups mix
/// what moves money differently: fresh and replayed ids (in the window, or earlier in the group), unrated numbers,
/// unanswered calls, calls in the current period, in a closed one (late usage) and in an open earlier one, CDRs of
/// active, interim-charged, terminated, unknown and history-only sessions, a full applied window and a bound on closed sessions.
/// </summary>
public sealed class IngestionGroupStepProperties
{
    private static readonly RateDeck Deck = Fixtures.Deck();
    private static readonly DateTimeOffset Now = Fixtures.Now;
    private static readonly string[] Numbers = ["+447700900123", "+442071234567", "+33123456789", "+99912345678"];
    private static readonly Disposition[] Dispositions = [Disposition.Answered, Disposition.Answered, Disposition.NoAnswer, Disposition.Busy];
    private static readonly string[] SessionIds = ["active-1", "active-2", "interim", "terminated", "unknown", "history"];

    [Property(MaxTest = 300)]
    public Property The_group_step_gives_the_documents_and_records_of_applying_one_by_one(int[] steps, bool postpaid, byte shape)
    {
        var (account, history) = Account(postpaid, shape);
        var cdrs = Cdrs(steps ?? [], account);
        var closedKept = shape % 3 == 0 ? 1 : int.MaxValue;

        var group = IngestionRules.Apply(account, Deck, cdrs, Now, history, closedKept);
        var reference = IngestionRules.ApplyEach(account, Deck, cdrs, Now, history, closedKept);

        var sameDocument = Json(group.Next ?? account) == Json(reference.Next ?? account) && (group.Next is null) == (reference.Next is null);
        var sameOutcomes = Json(group.Answer) == Json(reference.Answer);
        return (sameDocument && sameOutcomes)
            .Label($"document {(sameDocument ? "same" : "differs")}, outcomes {(sameOutcomes ? "same" : "differ")}: {cdrs.Count} CDRs, shape {shape}, postpaid {postpaid}");
    }

    [Fact]
    public void A_group_of_fresh_cdrs_in_the_current_period_moves_the_money_as_one_by_one()
    {
        var (account, _) = Account(postpaid: true, shape: 1);
        var cdrs = Enumerable.Range(0, 20)
            .Select(i => (new Cdr(Id("fresh", i), "acme", "+441", Numbers[i % 3], Now.AddMinutes(-i), 30 + i, Disposition.Answered, null), i + 2))
            .ToList();

        var group = IngestionRules.Apply(account, Deck, cdrs, Now);
        var reference = IngestionRules.ApplyEach(account, Deck, cdrs, Now, null, int.MaxValue);

        Assert.Equal(Json(reference.Next), Json(group.Next));
        Assert.Equal(20, group.Answer!.Count(o => o.Applied is not null));
        Assert.True(group.Next!.Committed > account.Committed);
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, StoredJson.Options);

    /// <summary>
    /// An account opened two months before now with spend 36 days and 47.5 hours ago (so the group rolls its period and trims its
    /// spend history), October closed for some shapes (late usage), an applied window filled to a size the shape picks (up to full), and sessions in every state.
    /// </summary>
    private static (AccountState Account, IReadOnlyDictionary<string, ClosedSession> History) Account(bool postpaid, byte shape)
    {
        var settings = postpaid ? Fixtures.Postpaid(1_000_000m, hard: false) : Fixtures.Prepaid();
        var account = AccountState.Open("acme", settings, postpaid ? 0m : 10_000m, Now.AddMonths(-2));
        // Spend 36 days and 47.5 hours ago: buckets the sessions' charges (yesterday) keep and now's charges push out.
        foreach (var ago in new[] { TimeSpan.FromDays(36), TimeSpan.FromHours(47.5) })
        {
            account = account.Commit(new ChargeLine(1.5m, 60, 1, "United Kingdom", Now - ago), Now - ago);
        }

        if (shape % 2 == 0)
        {
            account = account.CloseThrough("2026-10");
        }

        var applied = (shape % 4) switch { 0 => 0, 1 => 7, 2 => AccountState.AppliedCdrCapacity - 3, _ => AccountState.AppliedCdrCapacity };
        for (var i = 0; i < applied; i++)
        {
            account = account.RememberApplied(Id("old", i));
        }

        var rules = new CreditControlRules(new CreditControlOptions());
        var authorizedAt = Now.AddHours(-11);
        foreach (var id in SessionIds.Where(s => s != "unknown"))
        {
            account = rules.Authorize(account, Deck, new AuthorizeRequest(id, "acme", "+441", Numbers[id.Length % 3], authorizedAt, 300), authorizedAt).Next ?? account;
        }

        account = rules.Interim(account, new InterimRequest("interim", 2, 120, 300), authorizedAt.AddMinutes(2)).Next ?? account;
        account = rules.Terminate(account, new TerminateRequest("terminated", 2, 95), authorizedAt.AddMinutes(3)).Next ?? account;

        // The history holds a session the document no longer has: drop it by writing the document without it.
        var dropped = account.Sessions["history"];
        account = account with { Sessions = account.Sessions.Remove("history"), Reserved = account.Reserved - dropped.Reserved };
        return (account, new Dictionary<string, ClosedSession>(StringComparer.Ordinal) { ["history"] = new ClosedSession("acme", dropped) });
    }

    /// <summary>Each step picks the CDR's id (fresh, replayed from the window, or repeated from the group), number, start, duration, disposition and session.</summary>
    private static List<(Cdr Cdr, int Line)> Cdrs(int[] steps, AccountState account)
    {
        var cdrs = new List<(Cdr Cdr, int Line)>(steps.Length);
        for (var i = 0; i < steps.Length; i++)
        {
            var value = steps[i] & int.MaxValue;
            var id = (value % 11) switch
            {
                0 when account.AppliedCount > 0 => account.AppliedCdrs.ElementAt(value % account.AppliedCount),
                1 when cdrs.Count > 0 => cdrs[value % cdrs.Count].Cdr.CdrId,
                _ => Id("new", i),
            };
            var start = ((value / 11) % 5) switch
            {
                0 => Now.AddMonths(-1).AddDays(-3),  // October: closed for some shapes
                1 => Now.AddMonths(-2),              // the period the account opened in
                _ => Now.AddMinutes(-(value % 600)),
            };
            var session = (value / 55) % 9 < SessionIds.Length ? SessionIds[(value / 55) % 9] : null;
            var cdr = new Cdr(id, "acme", "+441", Numbers[(value / 7) % Numbers.Length], start, (value / 3) % 400, Dispositions[(value / 13) % Dispositions.Length], session);
            cdrs.Add((cdr, i + 2));
        }

        return cdrs;
    }

    private static string Id(string kind, int i) => string.Create(CultureInfo.InvariantCulture, $"{kind}-{i}");
}
