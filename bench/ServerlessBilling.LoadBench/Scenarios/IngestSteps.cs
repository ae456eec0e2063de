using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Ingest;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary><c>ingest --split</c>: Core's single steps of ingestion on one thread (readers, rating, grouping, the rules, the document's writes).</summary>
internal static class IngestSteps
{
    /// <summary>Single steps of ingestion on one thread, mean ns per CDR (or per call): what the rules and readers cost alone.</summary>
    public static Table Profile(RateDeck rated, IReadOnlyList<GeneratedBatch> spreadPool, GeneratedBatch hotBatch, DateTimeOffset now)
    {
        var spreadBatch = spreadPool[0];
        var table = new Table("ingest (1) core - single steps (--split), 1 thread, mean ns", "step", "ns per CDR", "ns per call", "B per CDR", "calls per 5,000-CDR batch (spread / hot)");
        var sink = 0L;
        void Measure(string step, int cdrsPerCall, string perBatch, int iterations, Func<long> body)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            for (var i = 0; i < Math.Max(1, iterations / 5); i++)
            {
                sink = unchecked(sink + body());
            }

            var (start, allocated) = (Stopwatch.GetTimestamp(), GC.GetAllocatedBytesForCurrentThread());
            for (var i = 0; i < iterations; i++)
            {
                sink = unchecked(sink + body());
            }

            var ns = LatencySummary.ToUs(Stopwatch.GetTimestamp() - start) * 1000 / iterations;
            var bytes = (double)(GC.GetAllocatedBytesForCurrentThread() - allocated) / iterations;
            table.Add(step, cdrsPerCall > 0 ? Fmt.N0(ns / cdrsPerCall) : "", Fmt.N0(ns), Fmt.N0(bytes / Math.Max(1, cdrsPerCall)), perBatch);
        }

        var size = spreadBatch.Size;
        Measure("CdrCsvReader.Read(string).ToList() (whole batch)", size, "1", 20, () => CdrCsvReader.Read(spreadBatch.Csv).ToList().Count);
        Measure("CdrBatchReader.Read(UTF-8 bytes) (whole batch, as POST /api/cdrs)", size, "1", 20, () => CdrBatchReader.Read(spreadBatch.Utf8).Records.Count);
        var cdrs = spreadBatch.Records.Where(r => r.Cdr is not null).Select(r => r.Cdr!).ToArray();
        Measure("RateDeck.Rate (whole batch)", cdrs.Length, $"{cdrs.Length:N0}", 50, () =>
        {
            long billed = 0;
            foreach (var cdr in cdrs)
            {
                billed += rated.Rate(cdr.CalledNumber, cdr.StartTime, cdr.DurationSeconds, cdr.Disposition).BilledSeconds;
            }

            return billed;
        });
        Measure("records.Where.GroupBy(account).ToList + group.ToList (whole batch)", size, "1", 50, () =>
            spreadBatch.Records.Where(r => r.Cdr is not null).GroupBy(r => r.Cdr!.AccountId, StringComparer.Ordinal).ToList().Sum(g => g.ToList().Count));

        var fresh = AccountState.Open("profile", IngestAccounts.Settings(1), 0m, now);
        var full = fresh;
        for (var i = 0; i < AccountState.AppliedCdrCapacity; i++)
        {
            full = full.RememberApplied(string.Create(CultureInfo.InvariantCulture, $"old-cdr-{i:D6}"));
        }

        var groups = spreadBatch.Records.Where(r => r.Cdr is not null).GroupBy(r => r.Cdr!.AccountId, StringComparer.Ordinal)
            .Select(g => g.Select(r => (r.Cdr!, r.Line)).ToList()).ToList();
        var perAccount = (double)groups.Sum(g => g.Count) / groups.Count;
        var five = groups.MinBy(g => Math.Abs(g.Count - 5))!; // a typical spread group: ~5 CDRs with 1,000 accounts, more with fewer
        var hot = hotBatch.Records.Where(r => r.Cdr is not null).GroupBy(r => r.Cdr!.AccountId, StringComparer.Ordinal).First().Select(r => (r.Cdr!, r.Line)).ToList();
        var groupCalls = $"{groups.Count:N0} (~{perAccount:N1} CDRs each) / 10";
        Measure($"AccountState.AppliedCdrs.ToHashSet, {AccountState.AppliedCdrCapacity:N0} ids (once per Apply)", 0, groupCalls, 2000, () => full.AppliedCdrs.ToHashSet(StringComparer.Ordinal).Count);
        Measure($"IngestionRules.Apply, {five.Count} CDRs, empty applied set", five.Count, groupCalls, 20_000, () => IngestionRules.Apply(fresh, rated, five, now).Answer!.Count);
        Measure($"IngestionRules.Apply, {five.Count} CDRs, applied set full ({AccountState.AppliedCdrCapacity:N0})", five.Count, groupCalls, 5_000, () => IngestionRules.Apply(full, rated, five, now).Answer!.Count);
        Measure($"IngestionRules.Apply, {hot.Count} CDRs (hot), applied set full", hot.Count, groupCalls, 200, () => IngestionRules.Apply(full, rated, hot, now).Answer!.Count);
        // The rules over a whole batch as the service sees it: ~1,000 account documents, each touched once per batch,
        // so each group's document (its applied ids, its totals) is cold in the caches.
        foreach (var applied in new[] { 0, AccountState.AppliedCdrCapacity })
        {
            var documents = groups.Select(g => g[0].Item1.AccountId).Distinct(StringComparer.Ordinal).ToDictionary(
                id => id,
                id =>
                {
                    var state = AccountState.Open(id, IngestAccounts.Settings(1), 0m, now);
                    for (var i = 0; i < applied; i++)
                    {
                        state = state.RememberApplied(string.Create(CultureInfo.InvariantCulture, $"prior-{id}-{i:D6}"));
                    }

                    return state;
                },
                StringComparer.Ordinal);
            Measure($"IngestionRules.Apply over a whole spread batch ({groups.Count:N0} cold documents), {applied:N0} applied ids", size, "1", 10, () =>
            {
                long n = 0;
                foreach (var group in groups)
                {
                    n += IngestionRules.Apply(documents[group[0].Item1.AccountId], rated, group, now).Answer!.Count;
                }

                return n;
            });
        }

        Steady(Measure, rated, spreadPool, now);
        var line = new ChargeLine(0.0123m, 60, 1, rated.Rows[0].Destination, now.AddMinutes(-5));
        Measure("AccountState.Commit (period, totals, by destination)", 1, "1 per CDR", 200_000, () => fresh.Commit(line, now).Totals.Count);
        var chainIds = Enumerable.Range(0, 1000).Select(i => string.Create(CultureInfo.InvariantCulture, $"new-cdr-{i:D6}")).ToArray();
        Measure($"AccountState.RememberApplied at capacity, 1,000 in a row (queue reversal amortized)", 1000, "1 per CDR", 200, () =>
        {
            var state = full;
            foreach (var id in chainIds)
            {
                state = state.RememberApplied(id);
            }

            return state.AppliedCount;
        });

        var usage = new InMemoryUsageStore();
        var ids = cdrs.Take(5).Select(c => c.CdrId).ToList();
        Measure("InMemoryUsageStore.FindExistingAsync, 5 ids", 5, groupCalls, 200_000, () => usage.FindExistingAsync("profile", ids, CancellationToken.None).Result.Count);
        var five0 = five.Select(c => c.Item1).ToList();
        Measure("Parallel.ForEachAsync over 5 items doing nothing (DOP 8, per account group)", 5, groupCalls, 20_000, () =>
        {
            Parallel.ForEachAsync(five0, new ParallelOptions { MaxDegreeOfParallelism = 8 }, (_, _) => ValueTask.CompletedTask).GetAwaiter().GetResult();
            return 1;
        });
        Measure("SHA-256 quarantine id (one quarantined CDR)", 1, "~20 per batch", 100_000, () =>
            SHA256.HashData(Encoding.UTF8.GetBytes($"a\nb\nreason text of some length\n{spreadBatch.Csv.AsSpan(0, 100)}"))[0]);
        table.Note($"Apply = the decision of one account group: applied-id set (ToHashSet of the document's ids), then per CDR: RateDeck.Rate, Commit, RememberApplied, the usage record. (checksum {sink % 10})");
        return table;
    }

    /// <summary>
    /// The rules as the service runs them in the steady state: every group applied to the document the one before left
    /// (documents carried from batch to batch, each with 1,000 applied ids at the start), one batch per iteration.
    /// </summary>
    private static void Steady(Action<string, int, string, int, Func<long>> measure, RateDeck rated, IReadOnlyList<GeneratedBatch> pool, DateTimeOffset now)
    {
        var batches = pool.Select(b => b.Records.Where(r => r.Cdr is not null).GroupBy(r => r.Cdr!.AccountId, StringComparer.Ordinal)
            .Select(g => g.Select(r => (r.Cdr!, r.Line)).ToList()).ToList()).ToList();
        var documents = new Dictionary<string, AccountState>(StringComparer.Ordinal);
        foreach (var id in batches.SelectMany(b => b.Select(g => g[0].Item1.AccountId)).Distinct(StringComparer.Ordinal))
        {
            var state = AccountState.Open(id, IngestAccounts.Settings(1), 0m, now);
            for (var i = 0; i < AccountState.AppliedCdrCapacity; i++)
            {
                state = state.RememberApplied(string.Create(CultureInfo.InvariantCulture, $"prior-{id}-{i:D6}"));
            }

            documents[id] = state;
        }

        var next = 0;
        var size = pool[0].Size;
        measure($"IngestionRules.Apply over whole spread batches, documents carried on (steady state, {batches.Count:N0} batches, each once)", size, "1", Math.Max(1, batches.Count * 5 / 6), () =>
        {
            long n = 0;
            foreach (var group in batches[next++ % batches.Count])
            {
                var id = group[0].Item1.AccountId;
                var decision = IngestionRules.Apply(documents[id], rated, group, now);
                documents[id] = decision.Next ?? documents[id];
                n += decision.Answer!.Count;
            }

            return n;
        });

        // The parts of a group's step on the steady document with the most destinations, each alone (5 charges, the typical spread group).
        var document = documents.Values.MaxBy(d => d.Totals.Values.Sum(t => t.ByDestination.Count))!;
        var charges = batches[^1].SelectMany(g => g).Select(c => (c.Item1, Rating: rated.Rate(c.Item1.CalledNumber, c.Item1.StartTime, c.Item1.DurationSeconds, c.Item1.Disposition)))
            .Where(c => c.Rating.IsRated).Take(5).Select(c => new ChargeLine(c.Rating.Charge, c.Rating.BilledSeconds, 1, c.Rating.Row!.Destination, c.Item1.StartTime)).ToList();
        var (settings, book) = (document.Settings, document.PeriodBook.Roll(now, document.Settings));
        var destinations = $"{document.Totals.Values.Sum(t => t.ByDestination.Count)} destinations";
        measure($"  part: PeriodBook.AddAll, 5 charges, steady document ({destinations})", 5, "1 per group", 20_000, () => book.AddAll(charges, settings).Totals.Count);
        measure("  part: SpendHistory.AddAll, 5 charges, steady document", 5, "1 per group", 20_000, () => document.Spend.AddAll(charges, now).Hours.Count);
        measure("  part: AccountState.WithIngested (the document's copy)", 5, "1 per group", 20_000, () => document.WithIngested(document.Ledger, book, document.Spend, document.AppliedWindow).Revision);
        var (window, ids) = (document.AppliedWindow, charges.Select((_, i) => i.ToString(CultureInfo.InvariantCulture)).ToList());
        measure("  part: IdWindow.AddRange, 5 ids, full window, each on the one before", 5, "1 per group", 20_000, () => (window = window.AddRange(ids, AccountState.AppliedCdrCapacity)).Count);
    }
}
