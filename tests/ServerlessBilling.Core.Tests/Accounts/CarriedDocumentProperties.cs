using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Tests.CreditControl;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Accounts;

/// <summary>
/// A document carried from step to step in memory (the path of the embedded store and of the per-account writer: its
/// newest spend buckets and its current period's totals lie beside their dictionaries, changed without a new tree)
/// against the reference path, the same document read back from its stored JSON before every step (the path of a store
/// that keeps JSON, where nothing lies beside anything). On random sequences of steps both must store byte-identical
/// JSON and give the same answers, whether the carried document is read between its steps or only at the end.
/// </summary>
public sealed class CarriedDocumentProperties
{
    private static readonly CreditControlRules Rules = new(new CreditControlOptions { ClosedSessionsKept = 3 });
    private static readonly RateDeck Deck = Fixtures.Deck();

    [Property(Arbitrary = [typeof(CreditControlModelArbitraries)], MaxTest = 300)]
    public void A_carried_document_stores_what_the_document_read_back_at_every_step_stores(ModelScenario scenario, bool readBetween)
    {
        var now = Fixtures.Now.AddSeconds(scenario.StartOffset);
        var carried = AccountState.Open("model", scenario.Settings(), scenario.Opening, now);
        var stored = Json(carried);
        foreach (var op in scenario.Ops)
        {
            var read = Read(stored);
            (var next, var readAnswer) = Step(read, op, ref now, advance: false);
            (carried, var carriedAnswer) = Step(carried, op, ref now, advance: true);
            stored = Json(next);
            Assert.Equal(readAnswer, carriedAnswer);
            if (readBetween)
            {
                Assert.Equal(stored, Json(carried));
            }
        }

        Assert.Equal(stored, Json(carried));
    }

    /// <summary>
    /// Charges over weeks, into the current period, earlier open ones and closed ones (late usage), with buckets and
    /// periods ageing out: <see cref="AccountState.Commit"/> on the carried document, and on the one read back the
    /// commit made with every total and bucket in its dictionary (see <see cref="Reference"/>).
    /// </summary>
    [Property(MaxTest = 300)]
    public Property Charges_commit_alike_on_a_carried_document_and_on_one_read_back(int[] steps, bool readBetween)
    {
        var now = Fixtures.Now;
        var carried = AccountState.Open("charges", Fixtures.Postpaid(1000m, hard: false), 0m, now);
        var stored = Json(carried);
        foreach (var step in steps ?? [])
        {
            // Spread over the whole range (FsCheck's integers stay small): jumps of days, calls from weeks before.
            var value = (int)(unchecked((uint)step * 2654435761u) & int.MaxValue);
            now = now.AddMinutes(value % 5 == 0 ? value % (20 * 24 * 60) : value % 40);
            var start = value % 7 == 0 ? now.AddHours(-(value % (60 * 24))) : value % 13 == 0 ? now.AddMinutes(90) : now.AddMinutes(-(value % 120));
            var line = new ChargeLine(new decimal(value % 9_000, 0, 0, false, (byte)(value % 5)), value % 600, value % 3 == 0 ? 0 : 1, Destinations[value % Destinations.Length], start);
            var read = Read(stored);
            if (value % 17 == 0)
            {
                // The invoice run closes the period before the current one: later charges for it are late usage.
                var before = carried.PeriodOf(carried.PeriodStart.AddSeconds(-1)).Label;
                (carried, read) = (carried.CloseThrough(before), read.CloseThrough(before));
            }

            (carried, read) = value % 11 == 0
                ? (carried.WithTopUp(value % 100, now), read.WithTopUp(value % 100, now))
                : (carried.Commit(line, now), Reference(read, line, now));
            stored = Json(read);
            if (readBetween && Json(carried) != stored)
            {
                return false.Label($"after {line}: {Json(carried)} instead of {stored}");
            }
        }

        return (Json(carried) == stored).Label($"{Json(carried)} instead of {stored}");
    }

    /// <summary>
    /// A commit as ingestion's group step makes it (<see cref="PeriodBook.AddAll"/>, <see cref="Monitoring.SpendHistory.AddAll"/>):
    /// every period's totals and every bucket set in its dictionary, nothing beside them: the reference the carried
    /// document's commits must store the bytes of.
    /// </summary>
    private static AccountState Reference(AccountState account, ChargeLine line, DateTimeOffset now)
    {
        List<ChargeLine> lines = [line];
        return account.WithIngested(
            account.Ledger.Charge(line.Amount), account.PeriodBook.Roll(now, account.Settings).AddAll(lines, account.Settings), account.Spend.AddAll(lines, now), account.AppliedWindow);
    }

    private static readonly string[] Destinations = ["France", "Germany", "UK Mobile", "Spain", "Italy"];

    private static (AccountState Account, object? Answer) Step(AccountState account, ModelOp op, ref DateTimeOffset now, bool advance)
    {
        switch (op)
        {
            case AuthorizeOp a:
                var granted = Rules.Authorize(account, Deck, new AuthorizeRequest(Id(a.Session), "model", Numbers.Caller, CreditControlModel.Destinations[a.Destination], null, a.Requested), now);
                return (granted.Next ?? account, granted.Answer ?? (object?)granted.Error);
            case InterimOp i when account.Sessions.GetValueOrDefault(Id(i.Session)) is { Status: not SessionStatus.Terminated } session:
                var used = session.GrantedSeconds * i.UsedPercent / 100;
                var interim = Rules.Interim(account, new InterimRequest(session.SessionId, session.LastRequestNumber + 1, used, i.Requested), now);
                return (interim.Next ?? account, interim.Answer ?? (object?)interim.Error);
            case TerminateOp t when account.Sessions.GetValueOrDefault(Id(t.Session)) is { TerminateAnswer: null } session:
                var ended = Rules.Terminate(account, new TerminateRequest(session.SessionId, session.LastRequestNumber + 1, session.GrantedSeconds * t.UsedPercent / 100), now);
                return (ended.Next ?? account, ended.Answer ?? (object?)ended.Error);
            case AdvanceOp t:
                var later = now.AddSeconds(t.Seconds);
                if (advance)
                {
                    now = later;
                }

                return (t.Sweep ? Rules.ReleaseExpired(account, later) ?? account : account, null);
            case TopUpOp t when t.AmountMinor > 0:
                return (account.WithTopUp(t.AmountMinor / 100m, now), null);
            default:
                return (account, null);
        }
    }

    private static AccountState Read(string json) => JsonSerializer.Deserialize<AccountState>(json, StoredJson.Options)!;

    private static string Id(int session) => "s" + session.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Json(AccountState account) => JsonSerializer.Serialize(account, StoredJson.Options);
}
