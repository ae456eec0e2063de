using System.Text;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// Round twenty-nine of the hostile review: terminates and CDR batches of the same calls interleaved in any order (a
/// switch whose terminates lag its mediation's files, or run ahead of them). When a call's terminate reports what its CDR
/// says, which one arrives first moves no money: every order leaves the balance, the spend and the sessions alike, and
/// every terminate is answered with the same charge, whether it closed the call or found it closed by the CDR.
/// </summary>
public sealed class HostileRoundTwentyNineInterleavingTests
{
    private const string Account = "r29-mix";
    private static readonly string[] Called = ["+33612345678", "+447700900123", "+442071234567"];
    private const int Calls = 8;

    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(2, 2, false)]
    [InlineData(3, 100, false)]
    [InlineData(4, 1, true)]
    [InlineData(5, 3, true)]
    public async Task Terminates_and_cdrs_in_any_order_charge_each_call_once_at_one_price(int seed, int closedKept, bool postpaid)
    {
        var reference = await OpenCallsAsync(closedKept, postpaid);
        var ops = Ops();
        var expectedAnswers = new List<string>();
        foreach (var op in ops)
        {
            expectedAnswers.Add(await op.Apply(reference));
        }

        var expected = await OutcomeAsync(reference);
        var random = new Random(seed);
        for (var run = 0; run < 10; run++)
        {
            var h = await OpenCallsAsync(closedKept, postpaid);
            var order = ops.Select((op, i) => (op, i)).OrderBy(_ => random.Next()).ToList();
            var answers = new string[ops.Count];
            foreach (var (op, i) in order)
            {
                answers[i] = await op.Apply(h);
            }

            Assert.True(expected == await OutcomeAsync(h), $"run {run}, order {string.Join(' ', order.Select(o => o.op.What))}:\nreference {expected}\nreordered {await OutcomeAsync(h)}");
            for (var i = 0; i < ops.Count; i++)
            {
                Assert.True(expectedAnswers[i] == answers[i], $"run {run}, {ops[i].What}: {expectedAnswers[i]} then {answers[i]}");
            }
        }
    }

    private sealed record Op(string What, Func<CreditControlHarness, Task<string>> Apply);

    /// <summary>Each call's terminate (some calls have none), and its CDR in one of three batches.</summary>
    private static List<Op> Ops()
    {
        var ops = new List<Op>();
        var batches = new StringBuilder[3];
        for (var b = 0; b < batches.Length; b++)
        {
            batches[b] = new StringBuilder(Fixtures.CdrHeader).Append('\n');
        }

        for (var i = 0; i < Calls; i++)
        {
            var (interim, last) = Use(i);
            var session = $"s-{i}";
            batches[i % batches.Length].Append($"c-{i},{Account},+441234,{Called[i % Called.Length]},{Fixtures.Now:O},{interim + last},ANSWERED,{session}\n");
            if (i % 4 != 3)
            {
                ops.Add(new($"terminate {session}", async h =>
                {
                    var outcome = await h.TerminateAsync(session, interim > 0 ? 2 : 1, last);
                    return outcome.Error is { } e ? $"{e.Kind}" : $"{outcome.Answer!.TotalSeconds} s {outcome.Answer.BilledSeconds} s {outcome.Answer.Charge}";
                }));
            }
        }

        for (var b = 0; b < batches.Length; b++)
        {
            var csv = batches[b].ToString();
            ops.Add(new($"batch {b}", async h =>
            {
                var result = await h.IngestCsvAsync(csv);
                return $"{result.Received} {result.Accepted + result.Duplicates} {result.Quarantined.Count}";
            }));
        }

        return ops;
    }

    /// <summary>The seconds call i reports by interim (0: none) and then by its terminate; the CDR says their sum.</summary>
    private static (int Interim, int Last) Use(int i) => (i % 2 == 0 ? 0 : 30 + (7 * i), 20 + (11 * i));

    private static async Task<CreditControlHarness> OpenCallsAsync(int closedKept, bool postpaid)
    {
        var index = new InMemorySessionIndex();
        var h = new CreditControlHarness(new InMemoryAccountStore(), index, new InMemoryRateDeckStore(),
            new CreditControlOptions { ClosedSessionsKept = closedKept });
        Histories.Add(h, index);
        await h.OpenAsync(Account, postpaid ? Fixtures.Postpaid(1_000m, hard: true) : Fixtures.Prepaid(), postpaid ? 0m : 1_000m);
        for (var i = 0; i < Calls; i++)
        {
            Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync(Account, $"s-{i}", Called[i % Called.Length], 300)).Answer!.ResultCode);
            if (Use(i).Interim > 0)
            {
                Assert.Null((await h.InterimAsync($"s-{i}", 1, Use(i).Interim, 300)).Error);
            }
        }

        return h;
    }

    /// <summary>The session history of each harness (a session pushed out of the document, in an order that depends on the closings', is there).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<CreditControlHarness, InMemorySessionIndex> Histories = [];

    /// <summary>The money, and each call's session as the document or (pushed out of it) the history holds it.</summary>
    private static async Task<string> OutcomeAsync(CreditControlHarness h)
    {
        var state = await h.StateAsync(Account);
        Fixtures.AssertConserved(state);
        var all = new List<Session>();
        for (var i = 0; i < Calls; i++)
        {
            all.Add(state.Sessions.GetValueOrDefault($"s-{i}") ?? (await Histories.GetOrCreateValue(h).FindClosedAsync($"s-{i}", default))!.Session);
        }

        var sessions = string.Join(", ", all
            .Select(s => $"{s.SessionId} {s.Status} {s.UsedSeconds}/{s.ReportedSeconds} {s.CommittedCharge:0.####} over {s.OverrunSeconds}"));
        return $"balance {state.Balance}, reserved {state.Reserved}, spend {state.PeriodSpend}; {sessions}";
    }
}
