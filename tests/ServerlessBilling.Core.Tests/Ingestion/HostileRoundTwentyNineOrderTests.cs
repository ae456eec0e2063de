using System.Text;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// Round twenty-nine of the hostile review: the CDRs of one account's calls, whatever their order and however they are
/// cut into batches (a mediation that reorders, splits and merges files), move the same money and settle each CDR the
/// same way. The calls are under credit control in every state a CDR can meet (terminated and kept in the document,
/// terminated and pushed out of it into the session history, open with interims charged, lapsed and dropped), with a few
/// closed sessions kept so that CDRs closing sessions push others out within a batch, plus second legs and CDRs of no
/// session. Each call's CDRs say the same duration, so no order may change a price.
/// </summary>
public sealed class HostileRoundTwentyNineOrderTests
{
    private const string Account = "r29-order";
    private static readonly string[] Called = ["+33612345678", "+447700900123", "+442071234567"];

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(4, 1)]
    [InlineData(5, 2)]
    [InlineData(6, 3)]
    public async Task Cdrs_in_any_order_and_any_batches_move_the_same_money_and_settle_alike(int seed, int closedKept)
    {
        var (reference, cdrs) = await CallsAsync(closedKept);
        await IngestAsync(reference, cdrs, [cdrs.Count]);
        var expected = await OutcomeAsync(reference);

        var random = new Random(seed);
        for (var run = 0; run < 8; run++)
        {
            var (h, same) = await CallsAsync(closedKept);
            var order = same.OrderBy(_ => random.Next()).ToList();
            var cuts = new List<int>();
            for (var left = order.Count; left > 0;)
            {
                var size = Math.Min(left, 1 + random.Next(6));
                cuts.Add(size);
                left -= size;
            }

            await IngestAsync(h, order, cuts);
            var actual = await OutcomeAsync(h);
            Assert.True(expected == actual, $"run {run}, batches {string.Join('+', cuts)}:\nin order {expected}\nreordered {actual}");

            // The whole file delivered again, reordered once more, changes nothing.
            var again = await h.IngestCsvAsync(Fixtures.CdrHeader + "\n" + string.Join('\n', same.OrderBy(_ => random.Next())) + "\n");
            Assert.Equal((same.Count, 0, same.Count), (again.Received, again.Accepted, again.Duplicates));
            Assert.Equal(expected, await OutcomeAsync(h));
        }
    }

    /// <summary>The calls' sessions in their states, on a fresh account, and the CDRs of the calls.</summary>
    private static async Task<(CreditControlHarness H, List<string> Cdrs)> CallsAsync(int closedKept)
    {
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(),
            new CreditControlOptions { ClosedSessionsKept = closedKept, ClosedSessionRetention = TimeSpan.FromMinutes(30) });
        await h.OpenAsync(Account, Fixtures.Prepaid(), 1_000m);
        var cdrs = new List<string>();
        var start = h.Clock.GetUtcNow();
        void Cdr(string id, string? session, string called, int seconds, string disposition = "ANSWERED") =>
            cdrs.Add($"{id},{Account},+441234,{called},{start:O},{seconds},{disposition},{session}");

        // Lapsed and dropped into the history: an interim charged 50 s, the CDR says 130.
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync(Account, "s-dropped", Called[0], 60)).Answer!.ResultCode);
        Assert.Null((await h.InterimAsync("s-dropped", 1, 50, 60)).Error);
        h.Clock.Advance(TimeSpan.FromHours(1));
        await h.CreditControl.ReleaseExpiredAsync(default);
        h.Clock.Advance(TimeSpan.FromHours(1));
        await h.CreditControl.ReleaseExpiredAsync(default);
        Cdr("c-dropped", "s-dropped", Called[0], 130);

        // Terminated, oldest first, so that the first ones leave the document as CDRs close the open sessions.
        for (var i = 0; i < 4; i++)
        {
            var called = Called[i % Called.Length];
            Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync(Account, $"s-term-{i}", called, 120)).Answer!.ResultCode);
            Assert.NotNull((await h.TerminateAsync($"s-term-{i}", 1, 61 + (17 * i))).Answer);
            Cdr($"c-term-{i}", $"s-term-{i}", called, 61 + (17 * i));
            if (i % 2 == 0)
            {
                Cdr($"c-term-{i}-leg", $"s-term-{i}", called, 61 + (17 * i));
            }
        }

        // Open, some with interims charged; some CDRs say less than the interims reported, one says NO_ANSWER.
        for (var i = 0; i < 4; i++)
        {
            var called = Called[(i + 1) % Called.Length];
            Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync(Account, $"s-open-{i}", called, 120)).Answer!.ResultCode);
            if (i % 2 == 1)
            {
                Assert.Null((await h.InterimAsync($"s-open-{i}", 1, 70, 120)).Error);
            }

            var seconds = i == 3 ? 40 : 45 + (13 * i);
            Cdr($"c-open-{i}", $"s-open-{i}", called, seconds, i == 2 ? "NO_ANSWER" : "ANSWERED");
            if (i % 2 == 0)
            {
                Cdr($"c-open-{i}-leg", $"s-open-{i}", called, seconds, i == 2 ? "NO_ANSWER" : "ANSWERED");
            }
        }

        // No session.
        Cdr("c-alone-1", null, Called[2], 75);
        Cdr("c-alone-2", null, Called[0], 33);
        return (h, cdrs);
    }

    private static async Task IngestAsync(CreditControlHarness h, List<string> cdrs, List<int> cuts)
    {
        var at = 0;
        foreach (var size in cuts)
        {
            var csv = new StringBuilder(Fixtures.CdrHeader).Append('\n');
            foreach (var line in cdrs.Skip(at).Take(size))
            {
                csv.Append(line).Append('\n');
            }

            var result = await h.IngestCsvAsync(csv.ToString());
            Assert.Equal((size, size, 0), (result.Received, result.Accepted, result.Quarantined.Count));
            at += size;
        }
    }

    /// <summary>
    /// The money and how each call's CDRs were settled: which of two legs closed an open session depends on their order
    /// (legitimately), so a call shows the settlements of its legs together, with the charge of the one that moved money.
    /// </summary>
    private static async Task<string> OutcomeAsync(CreditControlHarness h)
    {
        var state = await h.StateAsync(Account);
        Fixtures.AssertConserved(state);
        var records = await h.Usage.ListAsync(Account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 1000, default);
        var settled = string.Join(", ", records
            .GroupBy(r => r.CdrId.Replace("-leg", "", StringComparison.Ordinal), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}:" + string.Join('+', g.Select(r => r.SettledBy == Settlement.Cdr ? $"cdr {r.Charge:0.####}" : "session").Order(StringComparer.Ordinal))));
        return $"balance {state.Balance}, reserved {state.Reserved}, spend {state.PeriodSpend}, active {state.ActiveSessions}; {settled}";
    }
}
