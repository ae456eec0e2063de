using System.Diagnostics;
using System.Globalization;
using ServerlessBilling.LoadBench.Calls;
using ServerlessBilling.LoadBench.Infrastructure;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary><c>core --split</c>: what a pair costs without the store, by the sessions a document holds, and its single steps.</summary>
internal static class CoreProfiles
{
    /// <summary>
    /// The rules alone (no store, no session index, no async) on one document that already holds N closed
    /// sessions: shows how a pair's cost grows with the sessions the document keeps.
    /// </summary>
    public static Table RulesProfile()
    {
        var rules = new CreditControlRules(new CreditControlOptions());
        var deck = RateDeckParser.Parse(BenchData.DeckId, BenchData.DeckCsv).Deck!;
        var table = new Table(
            "core - the rules alone (CreditControlRules.Authorize + Terminate, no store), by closed sessions already in the document",
            "closed sessions in doc", "us per pair", "pairs/s (1 thread)");
        foreach (var retained in new[] { 0, 100, 1_000, 10_000 })
        {
            var now = DateTimeOffset.UtcNow;
            var state = AccountState.Open("profile", BenchData.Prepaid(), BenchData.OpeningBalance, now);
            for (var i = 0; i < retained; i++)
            {
                state = RunPair(rules, deck, state, "old-" + i.ToString(CultureInfo.InvariantCulture), now);
            }

            // Pairs whose sessions are dropped again, so every measured pair sees `retained` closed sessions.
            var iterations = retained >= 10_000 ? 300 : retained >= 1_000 ? 3_000 : 30_000;
            for (var i = 0; i < iterations / 10; i++)
            {
                _ = RunPair(rules, deck, state, "warm", now);
            }

            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < iterations; i++)
            {
                _ = RunPair(rules, deck, state, "probe", now);
            }

            var us = LatencySummary.ToUs(Stopwatch.GetTimestamp() - start) / iterations;
            table.Add(Fmt.N0(retained), Fmt.N2(us), Fmt.N0(1_000_000 / us));
        }

        table.Note("Every authorize and terminate enumerates all sessions of the document several times (Reserved, Prune, NextExpiry), so a pair costs O(sessions kept).");
        return table;
    }

    /// <summary>What single steps inside a pair cost, one thread, mean over many calls.</summary>
    public static Table ComponentProfile()
    {
        var now = DateTimeOffset.UtcNow;
        var settings = BenchData.Prepaid();
        var deck = RateDeckParser.Parse(BenchData.DeckId, BenchData.DeckCsv).Deck!;
        var request = new AuthorizeRequest("probe", "profile", BenchData.CallingNumber, BenchData.CalledNumber, null, BenchData.RequestedSeconds);
        var table = new Table("core - single steps of a pair (--split), 1 thread, mean ns per call", "step", "ns/call", "calls per pair");
        var sink = 0L;
        void Measure(string step, int perPair, int iterations, Func<long> body)
        {
            for (var i = 0; i < iterations / 10; i++)
            {
                sink += body();
            }

            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < iterations; i++)
            {
                sink += body();
            }

            table.Add(step, Fmt.N0(LatencySummary.ToUs(Stopwatch.GetTimestamp() - start) * 1000 / iterations), perPair.ToString(CultureInfo.InvariantCulture));
        }

        Measure("AuthorizeRequest.Fingerprint (string.Join)", 2, 200_000, () => request.Fingerprint.Length);
        Measure("RateDeck.Find (prefix lookup)", 1, 200_000, () => deck.Find(BenchData.CalledNumber, now)!.Line);
        Measure("BillingPeriod.Containing + Label (AddToTotals, per commit)", 1, 200_000, () =>
        {
            var period = BillingPeriod.Containing(now, settings);
            return period.Label(BillingPeriod.FindTimeZone(settings.TimeZone)).Length;
        });
        var open = AccountState.Open("profile", settings, BenchData.OpeningBalance, now);
        var line = new ChargeLine(0.0056m, 42, 1, "United Kingdom London", now);
        Measure("AccountState.Commit (RollPeriod + AddToTotals: period, label, 2 sorted-dictionary sets)", 1, 200_000, () => open.Commit(line, now).Totals.Count);
        foreach (var sessions in new[] { 1, 10, 100, 1_000 })
        {
            var state = BenchDocuments.WithClosedSessions("profile", sessions, now);
            var extra = state.Sessions.Values.First() with { SessionId = "extra" };
            var n = sessions.ToString("N0", CultureInfo.InvariantCulture);
            var iterations = sessions >= 1_000 ? 20_000 : 200_000;
            Measure($"AccountState.Reserved, {n} sessions (O(n) sum)", 2, iterations, () => (long)state.Reserved);
            Measure($"AccountState.Tidy (the sweep only), {n} sessions, none stale (O(n) scan)", 1, iterations, () => state.Tidy(now, TimeSpan.FromDays(2)).Sessions.Count);
            Measure($"AccountState.WithSession, {n} sessions (SetItem + O(n) NextExpiry)", 3, iterations, () => state.WithSession(extra).Sessions.Count);
        }

        table.Note($"calls per pair: how often a pair (authorize + terminate, no conflict) runs the step, read from CreditControlRules/AccountState (checksum {sink % 10}).");
        return table;
    }

    private static AccountState RunPair(CreditControlRules rules, RateDeck deck, AccountState state, string sessionId, DateTimeOffset now)
    {
        var grant = rules.Authorize(state, deck, new AuthorizeRequest(sessionId, state.AccountId, BenchData.CallingNumber, BenchData.CalledNumber, null, BenchData.RequestedSeconds), now);
        var authorized = grant.Next ?? throw new InvalidOperationException("authorize refused in the profile");
        var end = rules.Terminate(authorized, new TerminateRequest(sessionId, 1, BenchData.UsedSeconds), now);
        return end.Next ?? throw new InvalidOperationException("terminate refused in the profile");
    }
}
