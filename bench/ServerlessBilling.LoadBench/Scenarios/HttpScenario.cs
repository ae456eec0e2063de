using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.LoadBench.Calls;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary>
/// <c>http</c>: the local host in this process on a free loopback port, and a closed-loop load generator of N
/// concurrent HttpClient loops (one SocketsHttpHandler, keep-alive) doing authorize then terminate on new
/// session ids across many pre-paid accounts created through the API. Client and server share the cores.
/// </summary>
internal static class HttpScenario
{
    public const string Usage = """
        http: the local host in process on http://127.0.0.1:0 and N concurrent HttpClient loops (SocketsHttpHandler,
          keep-alive) doing POST /api/authorize then POST /api/sessions/{id}/terminate on new session ids, across
          pre-paid accounts created with PUT /api/accounts/{id} and a deck put with PUT /api/ratedecks/{id}.
          The load generator runs in the same process and shares the cores with the server.
          Targets: >= 10,000 requests/s and p99 < 5 ms per request.

          --seconds S        timed run per concurrency (default 10, max 120)
          --warmup S         warm-up before each concurrency (default 10, max 60): under full load on 2 cores the JIT
                             needs ~8 s to finish tiering; with 2 s the timed run sees about half the steady rate
          --concurrency LIST concurrent loops, comma-separated (default 32)
          --accounts N       accounts (default 1000)
          --demo             seed the demo data too (default: --Local:SeedDemo=false)
          --max-requests N   bound per loop (default 2000000)
          --retention S      --CreditControl:ClosedSessionRetention for the host, in seconds (default: 2 days)
          --baseline         also run the same loops against a no-op JSON endpoint mapped on the same host:
                             the cost of HTTP, Kestrel and the client alone on this machine

        """;

    private const double RequestsTarget = 10_000;
    private const double P99TargetMs = 5;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (CliArgs.ForScenario(args, Usage, ["seconds", "warmup", "concurrency", "accounts", "max-requests", "retention"], ["demo", "baseline"]) is not { } cli)
        {
            return 0;
        }

        var seconds = cli.Seconds("seconds", 10, 0.5, 120);
        var warmup = cli.Seconds("warmup", 10, 0, 60);
        var accounts = cli.Int("accounts", 1000, 1, 100_000);
        var maxRequests = cli.Int("max-requests", 2_000_000, 1000, 20_000_000);
        var concurrencies = cli.Ints("concurrency", "32", 1, 1024);
        var demo = cli.Flag("demo");
        var baseline = cli.Flag("baseline");

        var hostArgs = new List<string>(LoopbackHttp.HostArgs) { "--Local:SeedDemo=" + (demo ? "true" : "false") };
        if (cli["retention"] is not null)
        {
            var retention = TimeSpan.FromSeconds(cli.Seconds("retention", 0, 0, 30 * 86_400));
            hostArgs.Add("--CreditControl:ClosedSessionRetention=" + retention.ToString("c", CultureInfo.InvariantCulture));
        }

        // Extra host settings for experiments, e.g. LOADBENCH_HOST_ARGS="--Metrics:Prometheus=false".
        hostArgs.AddRange((Environment.GetEnvironmentVariable("LOADBENCH_HOST_ARGS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        await using var app = LocalHost.Build([.. hostArgs]);
        app.MapPost(HttpCalls.NoopPath, async (HttpRequest request) =>
        {
            // Reads the body like the real handlers do, answers a small JSON object: HTTP and nothing else.
            await request.Body.CopyToAsync(Stream.Null);
            return Results.Ok(new NoopResponse("noop", "SUCCESS"));
        });
        var timing = new HttpCalls.ServerTiming();
        app.Use(async (context, next) =>
        {
            // Runs after routing, around the endpoint: the handler's time (JSON in, core, JSON out) on the server side.
            var start = Stopwatch.GetTimestamp();
            await next(context);
            timing.Record(context.Request.Path, Stopwatch.GetTimestamp() - start);
        });
        var address = await LoopbackHttp.StartAsync(app, cancellationToken);
        try
        {
            Console.WriteLine($"http: {Machine.Describe()}");
            Console.WriteLine($"  local host in process at {address} (demo data {(demo ? "on" : "off")}); load generator in the same process: "
                + "client and server share the cores");
            Console.WriteLine($"  timed {seconds} s per concurrency after {warmup} s warm-up; {accounts} pre-paid accounts; concurrency {string.Join(", ", concurrencies)}");

            using var client = LoopbackHttp.CreateClient(address, concurrencies.Max(), TimeSpan.FromSeconds(30));
            await HttpCalls.SetUpAsync(client, "warm-", accounts, cancellationToken);
            var store = app.Services.GetService<InMemoryAccountStore>();

            var table = new Table(
                "http - authorize + terminate through the local host over loopback HTTP/1.1 (keep-alive), latency per request",
                "case", "loops", "requests", "requests/s", "target >=10,000/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "target p99 <5 ms",
                "authorize p50/p99 ms", "terminate p50/p99 ms", "handler us (mean)", "cpu us/request", "cpu % proc/machine", "gen0/gen2 GCs", "errors");
            var round = 0;
            var timedPrefixes = new List<string>();
            long? pairsDone = 0; // successful authorize+terminate pairs of the timed runs (unknown once a request failed)
            foreach (var concurrency in concurrencies)
            {
                round++;
                var phase = "r" + round.ToString(CultureInfo.InvariantCulture);
                var timedPrefix = phase + "-acct-";
                timedPrefixes.Add(timedPrefix);
                await HttpCalls.SetUpAsync(client, timedPrefix, accounts, cancellationToken); // fresh accounts: no sessions left by an earlier round
                if (warmup > 0)
                {
                    await ClosedLoop.RunAsync(concurrency, TimeSpan.FromSeconds(warmup), maxRequests, HttpCalls.CallOperation(client, BenchData.Ids("warm-", accounts), concurrency, phase + "w", cancellationToken), cancellationToken, unit: 2);
                }

                timing.Reset();
                var run = await HttpCalls.MeasureAsync(concurrency, seconds, maxRequests, HttpCalls.CallOperation(client, BenchData.Ids(timedPrefix, accounts), concurrency, phase + "t", cancellationToken), cancellationToken, unit: 2);
                var server = timing.Snapshot();
                pairsDone = run.Result.Failures == 0 ? pairsDone + (run.Result.Operations / 2) : null;
                var r = run.Result;
                var authorize = LatencySummary.Of(r.Recorders.Select(rec => HttpCalls.Every(rec.Ticks, 0)));
                var terminate = LatencySummary.Of(r.Recorders.Select(rec => HttpCalls.Every(rec.Ticks, 1)));
                AddRow(
                    table, "authorize+terminate", concurrency, run,
                    $"{Fmt.N3(authorize.P50Us / 1000)} / {Fmt.N3(authorize.P99Us / 1000)}",
                    $"{Fmt.N3(terminate.P50Us / 1000)} / {Fmt.N3(terminate.P99Us / 1000)}",
                    $"{Fmt.N0(server.AuthorizeUs)} / {Fmt.N0(server.TerminateUs)}");

                if (baseline)
                {
                    timing.Reset();
                    var noop = await HttpCalls.MeasureAsync(concurrency, seconds, maxRequests, HttpCalls.NoopOperation(client, cancellationToken), cancellationToken);
                    AddRow(table, "baseline: no-op POST", concurrency, noop, "", "", Fmt.N0(timing.Snapshot().NoopUs));
                }
            }

            if (store is not null)
            {
                var states = timedPrefixes.SelectMany(prefix => BenchData.Ids(prefix, accounts)).Select(id => store.GetAsync(id, cancellationToken).Result!.Value).ToList();
                var ok = Ledger.Check(states, pairsDone ?? states.Sum(s => s.Totals.Values.Sum(t => (long)t.Total.Calls)), 0, out var problem);
                table.Note($"ledger after the runs: {(ok ? "consistent (balance = opening - committed, no session left open)" : "MISMATCH: " + problem)}; "
                    + $"max sessions in one account document: {Fmt.N0(states.Max(s => s.Sessions.Count))}");
            }

            table.Note("One request = one HTTP round trip (authorize or terminate); each loop runs authorize then terminate of the same session, then the next session.");
            table.Note("handler us: mean wall time around the endpoint on the server (body read + JSON + validation + CreditControlService + JSON answer), authorize / terminate.");
            table.Note("cpu us/request: process CPU time (client + server + GC) per request; cpu %: this process's CPU / wall / cores (client, server and GC together: the load generator shares the 2 cores with the server), and the whole machine's busy share (the rest is other work on the machine).");
            if (baseline)
            {
                table.Note("baseline: POST /loadbench/noop (reads the body, answers a fixed small JSON) on the same host and client: the HTTP ceiling of this machine.");
            }

            table.Print(Console.Out);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }

        return 0;
    }

    private static void AddRow(Table table, string name, int concurrency, HttpCalls.Measured run, string authorize, string terminate, string handler)
    {
        var r = run.Result;
        table.Add(
            name, concurrency.ToString(CultureInfo.InvariantCulture), Fmt.N0(r.Operations), Fmt.N0(r.PerSecondRate), Fmt.AtLeast(r.PerSecondRate, RequestsTarget, "/s"),
            Fmt.N3(r.Latency.P50Us / 1000), Fmt.N3(r.Latency.P99Us / 1000), Fmt.N3(r.Latency.P999Us / 1000), Fmt.N1(r.Latency.MaxUs / 1000),
            Fmt.Below(r.Latency.P99Us / 1000, P99TargetMs, " ms"), authorize, terminate, handler,
            Fmt.N0(run.Cost.CpuUsPer(r.Operations)), run.Cost.Cpu, run.Cost.Collections, Fmt.N0(r.Failures));
    }

    private sealed record NoopResponse(string SessionId, string ResultCode);
}
