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
using ServerlessBilling.Core.Storage.InMemory;
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
        var cli = CliArgs.Parse(args, ["seconds", "warmup", "concurrency", "accounts", "max-requests", "retention"], ["demo", "baseline"]);
        if (cli.Help)
        {
            Console.Write(Usage);
            return 0;
        }

        if (cli.Error is not null)
        {
            throw new ArgumentException(cli.Error);
        }

        var seconds = cli.Seconds("seconds", 10, 0.5, 120);
        var warmup = cli.Seconds("warmup", 10, 0, 60);
        var accounts = cli.Int("accounts", 1000, 1, 100_000);
        var maxRequests = cli.Int("max-requests", 2_000_000, 1000, 20_000_000);
        var concurrencies = (cli["concurrency"] ?? "32").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1024
                ? n
                : throw new ArgumentException($"--concurrency takes loop counts from 1 to 1024, not '{t}'"))
            .ToArray();
        var demo = cli.Flag("demo");
        var baseline = cli.Flag("baseline");

        var hostArgs = new List<string>
        {
            "--urls", "http://127.0.0.1:0",
            "--Store=" + (cli["store"] ?? "memory"),
            "--Logging:LogLevel:Default=Warning",
            "--Local:SeedDemo=" + (demo ? "true" : "false"),
        };
        if (cli["retention"] is not null)
        {
            var retention = TimeSpan.FromSeconds(cli.Seconds("retention", 0, 0, 30 * 86_400));
            hostArgs.Add("--CreditControl:ClosedSessionRetention=" + retention.ToString("c", CultureInfo.InvariantCulture));
        }

        await using var app = LocalHost.Build([.. hostArgs]);
        app.MapPost("/loadbench/noop", async (HttpRequest request) =>
        {
            // Reads the body like the real handlers do, answers a small JSON object: HTTP and nothing else.
            await request.Body.CopyToAsync(Stream.Null);
            return Results.Ok(new NoopResponse("noop", "SUCCESS"));
        });
        var timing = new ServerTiming();
        app.Use(async (context, next) =>
        {
            // Runs after routing, around the endpoint: the handler's time (JSON in, core, JSON out) on the server side.
            var start = Stopwatch.GetTimestamp();
            await next(context);
            timing.Record(context.Request.Path, Stopwatch.GetTimestamp() - start);
        });
        await app.StartAsync(cancellationToken);
        try
        {
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            if (address.Host != "127.0.0.1")
            {
                throw new InvalidOperationException($"the host listens on {address}, not on 127.0.0.1");
            }

            Console.WriteLine($"http: {Machine.Describe()}");
            Console.WriteLine($"  local host in process at {address} (demo data {(demo ? "on" : "off")}); load generator in the same process: "
                + "client and server share the cores");
            Console.WriteLine($"  timed {seconds} s per concurrency after {warmup} s warm-up; {accounts} pre-paid accounts; concurrency {string.Join(", ", concurrencies)}");

            using var client = CreateClient(address, concurrencies.Max());
            await SetUpAsync(client, "warm-", accounts, cancellationToken);
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
                await SetUpAsync(client, timedPrefix, accounts, cancellationToken); // fresh accounts: no sessions left by an earlier round
                if (warmup > 0)
                {
                    await ClosedLoop.RunAsync(concurrency, TimeSpan.FromSeconds(warmup), maxRequests, CallOperation(client, Ids("warm-", accounts), concurrency, phase + "w", cancellationToken), cancellationToken, unit: 2);
                }

                timing.Reset();
                var run = await MeasureAsync(concurrency, seconds, maxRequests, CallOperation(client, Ids(timedPrefix, accounts), concurrency, phase + "t", cancellationToken), cancellationToken, unit: 2);
                var server = timing.Snapshot();
                pairsDone = run.Result.Failures == 0 ? pairsDone + (run.Result.Operations / 2) : null;
                var r = run.Result;
                var authorize = LatencySummary.Of(r.Recorders.Select(rec => Every(rec.Ticks, 0)));
                var terminate = LatencySummary.Of(r.Recorders.Select(rec => Every(rec.Ticks, 1)));
                table.Add(
                    "authorize+terminate",
                    concurrency.ToString(CultureInfo.InvariantCulture),
                    Fmt.N0(r.Operations),
                    Fmt.N0(r.PerSecondRate),
                    Fmt.AtLeast(r.PerSecondRate, RequestsTarget, "/s"),
                    Fmt.N3(r.Latency.P50Us / 1000),
                    Fmt.N3(r.Latency.P99Us / 1000),
                    Fmt.N3(r.Latency.P999Us / 1000),
                    Fmt.N1(r.Latency.MaxUs / 1000),
                    Fmt.Below(r.Latency.P99Us / 1000, P99TargetMs, " ms"),
                    $"{Fmt.N3(authorize.P50Us / 1000)} / {Fmt.N3(authorize.P99Us / 1000)}",
                    $"{Fmt.N3(terminate.P50Us / 1000)} / {Fmt.N3(terminate.P99Us / 1000)}",
                    $"{Fmt.N0(server.AuthorizeUs)} / {Fmt.N0(server.TerminateUs)}",
                    Fmt.N0(run.CpuUsPerOperation),
                    run.Cpu,
                    $"{run.Gen0}/{run.Gen2}",
                    Fmt.N0(r.Failures));

                if (baseline)
                {
                    timing.Reset();
                    var noop = await MeasureAsync(concurrency, seconds, maxRequests, NoopOperation(client, cancellationToken), cancellationToken);
                    var n = noop.Result;
                    table.Add(
                        "baseline: no-op POST",
                        concurrency.ToString(CultureInfo.InvariantCulture),
                        Fmt.N0(n.Operations),
                        Fmt.N0(n.PerSecondRate),
                        Fmt.AtLeast(n.PerSecondRate, RequestsTarget, "/s"),
                        Fmt.N3(n.Latency.P50Us / 1000),
                        Fmt.N3(n.Latency.P99Us / 1000),
                        Fmt.N3(n.Latency.P999Us / 1000),
                        Fmt.N1(n.Latency.MaxUs / 1000),
                        Fmt.Below(n.Latency.P99Us / 1000, P99TargetMs, " ms"),
                        "",
                        "",
                        Fmt.N0(timing.Snapshot().NoopUs),
                        Fmt.N0(noop.CpuUsPerOperation),
                        noop.Cpu,
                        $"{noop.Gen0}/{noop.Gen2}",
                        Fmt.N0(n.Failures));
                }
            }

            if (store is not null)
            {
                var states = timedPrefixes.SelectMany(prefix => Ids(prefix, accounts)).Select(id => store.GetAsync(id, cancellationToken).Result!.Value).ToList();
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

    private sealed record NoopResponse(string SessionId, string ResultCode);

    private sealed record Measured(LoopResult Result, string Cpu, double CpuUsPerOperation, int Gen0, int Gen2);

    /// <summary>Mean time spent around the endpoint on the server, by endpoint kind.</summary>
    private sealed class ServerTiming
    {
        private readonly StripedCounter[] _ticks = [new(), new(), new()];
        private readonly StripedCounter[] _counts = [new(), new(), new()];

        public void Record(PathString path, long ticks)
        {
            var kind = path.StartsWithSegments("/api/authorize", StringComparison.Ordinal) ? 0
                : path.StartsWithSegments("/api/sessions", StringComparison.Ordinal) ? 1
                : path.StartsWithSegments("/loadbench/noop", StringComparison.Ordinal) ? 2
                : -1;
            if (kind >= 0)
            {
                _ticks[kind].Add(ticks);
                _counts[kind].Add();
            }
        }

        public void Reset()
        {
            foreach (var counter in _ticks.Concat(_counts))
            {
                counter.Reset();
            }
        }

        public (double AuthorizeUs, double TerminateUs, double NoopUs) Snapshot() => (Mean(0), Mean(1), Mean(2));

        private double Mean(int kind) => _counts[kind].Value == 0 ? double.NaN : LatencySummary.ToUs(_ticks[kind].Value) / _counts[kind].Value;
    }

    private static async Task<Measured> MeasureAsync(int concurrency, double seconds, int maxRequests, ClosedLoop.Operation operation, CancellationToken cancellationToken, int unit = 1)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var cpu = Machine.Cpu();
        var (gen0, gen2) = (Machine.Gen0Collections, Machine.Gen2Collections);
        var result = await ClosedLoop.RunAsync(concurrency, TimeSpan.FromSeconds(seconds), maxRequests, operation, cancellationToken, unit);
        var end = Machine.Cpu();
        return new Measured(
            result, end.Since(cpu, result.Seconds), end.ProcessSeconds(cpu) * 1_000_000 / Math.Max(1, result.Operations), Machine.Gen0Collections - gen0, Machine.Gen2Collections - gen2);
    }

    private static long[] Every(ReadOnlySpan<long> ticks, int parity)
    {
        var picked = new long[(ticks.Length + 1 - parity) / 2];
        var n = 0;
        for (var i = parity; i < ticks.Length; i += 2)
        {
            picked[n++] = ticks[i];
        }

        return picked;
    }

    private static HttpClient CreateClient(Uri address, int connections)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        return new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    private static string[] Ids(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{prefix}{i:D6}")).ToArray();

    private static async Task SetUpAsync(HttpClient client, string prefix, int accounts, CancellationToken cancellationToken)
    {
        using (var deck = new StringContent(BenchData.DeckCsv, Encoding.UTF8, "text/csv"))
        using (var response = await client.PutAsync(new Uri("/api/ratedecks/" + BenchData.DeckId, UriKind.Relative), deck, cancellationToken))
        {
            await EnsureOkAsync(response, "PUT /api/ratedecks", cancellationToken);
        }

        var body = Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $$$"""{"name":"Load bench","mode":"prepaid","currency":"GBP","initialBalance":{{{BenchData.OpeningBalance}}},"rateDeckId":"{{{BenchData.DeckId}}}","billingDay":1,"timeZone":"Europe/London","tax":{"treatment":"exempt"}}"""));
        await Parallel.ForEachAsync(
            Ids(prefix, accounts),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (id, ct) =>
            {
                using var content = Json(body);
                using var response = await client.PutAsync(new Uri("/api/accounts/" + id, UriKind.Relative), content, ct);
                await EnsureOkAsync(response, "PUT /api/accounts/" + id, ct);
            });
    }

    private static async Task EnsureOkAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = JsonType;
        return content;
    }

    private static readonly byte[] Success = "\"SUCCESS\""u8.ToArray();
    private static readonly byte[] TerminateBody = """{"requestNumber":1,"usedSeconds":42}"""u8.ToArray();
    private static readonly Uri AuthorizeUri = new("/api/authorize", UriKind.Relative);
    private static readonly Uri NoopUri = new("/loadbench/noop", UriKind.Relative);

    /// <summary>Even sequence numbers authorize session seq/2 of the loop, odd ones terminate it.</summary>
    private static ClosedLoop.Operation CallOperation(HttpClient client, string[] accounts, int loops, string phase, CancellationToken cancellationToken) =>
        async (loop, sequence) =>
        {
            var pair = sequence >> 1;
            var sessionId = string.Create(CultureInfo.InvariantCulture, $"{phase}-{loop}-{pair}");
            if ((sequence & 1) == 0)
            {
                var accountId = accounts[(int)((pair * loops + loop) % accounts.Length)];
                var body = Encoding.UTF8.GetBytes(string.Create(
                    CultureInfo.InvariantCulture,
                    $$"""{"sessionId":"{{sessionId}}","accountId":"{{accountId}}","callingNumber":"{{BenchData.CallingNumber}}","calledNumber":"{{BenchData.CalledNumber}}","requestedSeconds":{{BenchData.RequestedSeconds}}}"""));
                return await PostAsync(client, AuthorizeUri, body, cancellationToken);
            }

            return await PostAsync(client, new Uri("/api/sessions/" + sessionId + "/terminate", UriKind.Relative), TerminateBody, cancellationToken);
        };

    private static ClosedLoop.Operation NoopOperation(HttpClient client, CancellationToken cancellationToken) =>
        async (_, _) => await PostAsync(client, NoopUri, TerminateBody, cancellationToken);

    private static async Task<bool> PostAsync(HttpClient client, Uri uri, byte[] body, CancellationToken cancellationToken)
    {
        try
        {
            using var content = Json(body);
            using var response = await client.PostAsync(uri, content, cancellationToken);
            var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return response.StatusCode == HttpStatusCode.OK && answer.AsSpan().IndexOf(Success) >= 0;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
