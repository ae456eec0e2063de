using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Ingest;
using ServerlessBilling.LoadBench.Scenarios;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.LoadBench.All;

/// <summary>
/// <c>serve-child</c> (started by <c>all</c>, not by hand): the local host in a process of its own, so that its CPU time
/// and RSS are the server's alone. Besides the product's routes it maps a few bench-only endpoints under /loadbench
/// (never part of the product's route table): the echo and read-and-discard baselines, the applied-set fill of the
/// steady state, and a full collection. Prints "LISTENING address" and stops when its standard input closes.
/// </summary>
internal static class ServeChild
{
    public const string Scenario = "serve-child";
    public const string ListeningPrefix = "LISTENING ";
    public const string DiscardPath = "/loadbench/discard";
    public const string FillAppliedPath = "/loadbench/fill-applied";
    public const string FillTotalsPath = "/loadbench/fill-totals";
    public const string CollectPath = "/loadbench/collect";
    public const string HeapPath = "/loadbench/heap";
    public const string CommitsPath = "/loadbench/commits";
    public const string JitPath = "/loadbench/jit";
    public const string StorePath = "/loadbench/store";
    /// <summary>"allocated pause gen0 gen1 gen2": bytes allocated, GC pause ticks, collections of each generation, so far.</summary>
    public const string AllocatedPath = "/loadbench/allocated";

    public static async Task<int> RunAsync(IReadOnlyList<string> hostArgs, CancellationToken cancellationToken)
    {
        await using var app = LocalHost.Build([.. LoopbackHttp.HostArgs, "--Local:SeedDemo=false", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning", .. hostArgs]);
        PairsBaselines.Map(app); // the echo, and the layers of authorize+terminate apart
        app.MapPost(DiscardPath, async (HttpRequest request, CancellationToken ct) =>
        {
            // The floor of POST /api/cdrs: the same bodies read to the end and dropped, a small JSON answer.
            long bytes = 0;
            while (true)
            {
                var read = await request.BodyReader.ReadAsync(ct);
                bytes += read.Buffer.Length;
                request.BodyReader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }

            return Results.Text("{\"bytes\":" + bytes.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}", "application/json");
        });
        app.MapPost(FillAppliedPath, async (HttpRequest request, IAccountStore store, IUsageStore usage, CancellationToken ct) =>
        {
            var prefix = request.Query["prefix"].ToString();
            var count = int.Parse(request.Query["count"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
            var applied = int.Parse(request.Query["applied"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
            await IngestRig.FillAppliedAsync(store, usage, IngestAccounts.Ids(prefix, count), applied, 2, ct);
            return Results.Ok();
        });
        app.MapPost(FillTotalsPath, async (HttpRequest request, IAccountStore store, IRateDeckStore decks, CancellationToken ct) =>
        {
            var deck = await decks.GetAsync(request.Query["deck"].ToString(), ct) ?? throw new InvalidOperationException("no such deck");
            var count = int.Parse(request.Query["count"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
            var added = await SteadyFill.TotalsAsync(store, deck, IngestAccounts.Ids(request.Query["prefix"].ToString(), count), ct);
            return Results.Text(added.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        app.MapPost(CollectPath, () =>
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            return Results.Text(HeapFigures());
        });
        app.MapGet(HeapPath, () => Results.Text(HeapFigures()));
        app.MapGet(JitPath, () => Results.Text(System.Runtime.JitInfo.GetCompiledMethodCount().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        app.MapGet(AllocatedPath, () => Results.Text(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{GC.GetTotalAllocatedBytes()} {GC.GetTotalPauseDuration().Ticks} {GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)}")));
        app.MapGet(StorePath, (IServiceProvider services) => Results.Text(StoreFigures(services)));
        app.MapGet(CommitsPath, (IServiceProvider services) =>
            services.GetService<ServerlessBilling.Sqlite.SqliteDatabase>() is { } database
                ? Results.Text(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{database.CommitStatistics.Commits} {database.CommitStatistics.Writes} {database.WriterBusy.TotalMilliseconds:F0}"))
                : Results.Text("0 0 0"));

        var address = await LoopbackHttp.StartAsync(app, cancellationToken);
        Console.WriteLine(ListeningPrefix + address);
        await Console.Out.FlushAsync(cancellationToken);
        try
        {
            // The parent closes our standard input to stop us (or dies, which closes it too).
            while (await Console.In.ReadLineAsync(cancellationToken) is not null)
            {
            }
        }
        catch (OperationCanceledException)
        {
        }

        await app.StopAsync(CancellationToken.None);
        return 0;
    }

    /// <summary>
    /// "usage sessions destinations quarantine" of the memory store (0 for another store): usage records kept, session
    /// ids kept (open and closed), the per-destination totals the account documents hold (every period kept; packed
    /// documents are parsed to count them, so only a bench with fewer accounts than Memory:ParsedAccounts asks often),
    /// and the quarantined CDRs kept.
    /// </summary>
    private static string StoreFigures(IServiceProvider services)
    {
        var usage = services.GetService<IUsageStore>() is InMemoryUsageStore memoryUsage ? memoryUsage.Count : 0;
        var sessions = services.GetService<ISessionIndex>() is InMemorySessionIndex index ? index.Count : 0;
        var quarantine = services.GetService<IQuarantineStore>() is InMemoryQuarantineStore memoryQuarantine ? memoryQuarantine.Count : 0;
        var destinations = services.GetService<InMemoryAccountStore>() is { } accounts ? accounts.All.Sum(SteadyFill.DestinationCount) : 0;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{usage} {sessions} {destinations} {quarantine}");
    }

    /// <summary>"heap committed" in bytes: the managed heap as of the last collection, and what the GC has committed now.</summary>
    private static string HeapFigures()
    {
        var info = GC.GetGCMemoryInfo();
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{info.HeapSizeBytes} {GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes}");
    }
}
