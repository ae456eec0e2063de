using System.Globalization;
using System.Net;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Cosmos;
using ServerlessBilling.LoadBench.Calls;
using ServerlessBilling.LoadBench.Infrastructure;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary>
/// <c>cosmos</c> (b): the raw write primitive on one account document, 1 writer and W writers: ETag-conditional
/// replace (read, If-Match, retry on 412) versus a conditional patch, and the patch without its predicate.
/// </summary>
internal static class CosmosWrites
{
    private enum Primitive
    {
        Replace,
        Patch,
        PatchNoPredicate,
    }

    public static async Task RunAsync(Container container, CosmosSettings settings, CancellationToken cancellationToken)
    {
        var store = new CosmosAccountStore(container);
        Console.WriteLine($"\n(b) one account document per case holding {settings.DocSessions} closed sessions; {settings.MicroSeconds} s per case after a 1 s warm-up on another document");
        var table = new Table(
            "cosmos (b) - one write (balance -1, committed +1) on one document: ETag replace vs conditional patch",
            "primitive", "writers", "writes", "writes/s", "p50 ms", "p99 ms", "max ms", "412 retries", "412 per write", "doc KB", "cpu % proc/machine", "fails", "check");
        var rates = new Dictionary<(Primitive, int), double>();
        var run = 0;
        foreach (var writers in new[] { 1, settings.Workers }.Distinct())
        {
            foreach (var primitive in new[] { Primitive.Replace, Primitive.Patch, Primitive.PatchNoPredicate })
            {
                run++;
                var now = DateTimeOffset.UtcNow;
                var warmId = string.Create(CultureInfo.InvariantCulture, $"micro-warm-{run}");
                var id = string.Create(CultureInfo.InvariantCulture, $"micro-{run}");
                foreach (var docId in new[] { warmId, id })
                {
                    if (await store.TryCreateAsync(BenchDocuments.WithClosedSessions(docId, settings.DocSessions, now), cancellationToken) is null)
                    {
                        throw new InvalidOperationException($"document {docId} exists already");
                    }
                }

                var warmRetries = new StripedCounter();
                await ClosedLoop.RunAsync(writers, TimeSpan.FromSeconds(1), settings.MaxOps, WriteOperation(primitive, store, container, warmId, warmRetries), cancellationToken);

                var retries = new StripedCounter();
                var meter = RunMeter.Start();
                var r = await ClosedLoop.RunAsync(writers, TimeSpan.FromSeconds(settings.MicroSeconds), settings.MaxOps, WriteOperation(primitive, store, container, id, retries), cancellationToken);
                var cpuText = meter.Stop(r.Seconds).Cpu;
                rates[(primitive, writers)] = r.PerSecondRate;
                var after = (await store.GetAsync(id, cancellationToken))!.Value;
                var written = r.Operations - r.Failures;
                var baseline = BenchDocuments.WithClosedSessions(id, settings.DocSessions, now);
                var committed = after.Committed - baseline.Committed;
                var debited = baseline.Balance - after.Balance;
                var check = committed == written && debited == written
                    ? "ok"
                    : Math.Abs(committed - written) < 0.001m && Math.Abs(debited - written) < 0.001m
                        ? $"drift: {written} writes, committed +{committed}, balance -{debited} (Increment is double arithmetic)"
                        : $"MISMATCH (lost update?): {written} writes, committed +{committed}, balance -{debited}";
                table.Add(
                    Name(primitive),
                    writers.ToString(CultureInfo.InvariantCulture),
                    Fmt.N0(r.Operations),
                    Fmt.N1(r.PerSecondRate),
                    Fmt.N2(r.Latency.P50Us / 1000),
                    Fmt.N2(r.Latency.P99Us / 1000),
                    Fmt.N1(r.Latency.MaxUs / 1000),
                    Fmt.N0(retries.Value),
                    Fmt.N2((double)retries.Value / Math.Max(1, r.Operations)),
                    Fmt.N1(await CosmosEmulator.DocumentBytesAsync(container, id, cancellationToken) / 1024.0),
                    cpuText,
                    Fmt.N0(r.Failures),
                    check);
            }
        }

        table.Note("replace: read (GET) + ReplaceItemAsync with IfMatchEtag through CosmosAccountStore; on 412, read again and retry at once (bounded: 1,000 attempts).");
        table.Note("patch: one PATCH request, Increment ops, FilterPredicate 'FROM c WHERE c.state.balance >= 1' (a 412 would mean 'not enough balance', never a lost race).");
        table.Note("check: the document's committed/balance moved by exactly the number of successful writes (no lost update); 'drift' = off by a");
        table.Note("  floating-point residue only: patch Increment adds IEEE doubles, so money moved by patch must be integer minor units, not decimals.");
        table.Print(Console.Out);
        Console.WriteLine();
        foreach (var writers in new[] { 1, settings.Workers }.Distinct())
        {
            Console.WriteLine($"  ratio patch/replace writes/s, {writers} writer(s): {Fmt.Ratio(rates[(Primitive.Patch, writers)], rates[(Primitive.Replace, writers)])}"
                + $"   (patch without predicate/replace: {Fmt.Ratio(rates[(Primitive.PatchNoPredicate, writers)], rates[(Primitive.Replace, writers)])})");
        }
    }

    private static string Name(Primitive primitive) => primitive switch
    {
        Primitive.Replace => "ETag replace (read + If-Match)",
        Primitive.Patch => "conditional patch (filter)",
        _ => "patch, no predicate",
    };

    private static readonly IReadOnlyList<PatchOperation> Debit = [PatchOperation.Increment("/state/balance", -1), PatchOperation.Increment("/state/committed", 1)];

    private static ClosedLoop.Operation WriteOperation(Primitive primitive, CosmosAccountStore store, Container container, string id, StripedCounter retries)
    {
        var key = new PartitionKey(id);
        var withPredicate = new PatchItemRequestOptions { FilterPredicate = "FROM c WHERE c.state.balance >= 1", EnableContentResponseOnWrite = false };
        var withoutPredicate = new PatchItemRequestOptions { EnableContentResponseOnWrite = false };
        return primitive switch
        {
            Primitive.Replace => async (_, _) =>
            {
                for (var attempt = 0; attempt < 1000; attempt++)
                {
                    var current = await store.GetAsync(id, CancellationToken.None);
                    if (current is null)
                    {
                        return false;
                    }

                    var next = current.Value with { Balance = current.Value.Balance - 1m, Committed = current.Value.Committed + 1m };
                    if (await store.TryReplaceAsync(next, current.ETag, CancellationToken.None) is not null)
                    {
                        return true;
                    }

                    retries.Add();
                }

                return false;
            },
            _ => async (_, _) =>
            {
                using var response = await container.PatchItemStreamAsync(
                    id, key, Debit, primitive == Primitive.Patch ? withPredicate : withoutPredicate, CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.PreconditionFailed)
                {
                    retries.Add();
                }

                return response.IsSuccessStatusCode;
            },
        };
    }
}
