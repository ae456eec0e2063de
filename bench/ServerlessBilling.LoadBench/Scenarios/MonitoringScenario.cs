using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary>
/// Spend monitoring on the local host (memory store, in process): (1) the delay from a charge — a CDR batch posted, or
/// a terminate — to its alert stored, p50/p99 over many accounts; (2) monitoring's lag behind ingestion at full speed:
/// CDRs/s ingested while the monitoring worker runs, the largest backlog of unjudged accounts seen, and the time to
/// catch up once ingestion stops.
/// </summary>
internal static class MonitoringScenario
{
    private const string Help = """
        monitoring: delay from charge to alert, and lag behind ingestion, on the local host in process (memory store).
          --accounts N   accounts for the delay part (default 200)
          --seconds S    seconds of full-speed ingestion for the lag part (default 5)
        """;

    private const string Header = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id";

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Contains("--help"))
        {
            Console.Write(Help);
            return 0;
        }

        var accounts = Value(args, "--accounts", 200);
        var seconds = Value(args, "--seconds", 5);
        await using var app = LocalHost.Build([.. LoopbackHttp.HostArgs, "--Store=memory", "--Local:SeedDemo=false", "--Logging:LogLevel:ServerlessBilling.Core.Monitoring=Error"]);
        var address = await LoopbackHttp.StartAsync(app, cancellationToken);
        using var http = LoopbackHttp.CreateClient(address, 8, TimeSpan.FromSeconds(30));
        var alerts = app.Services.GetRequiredService<IAlertStore>();
        await LoopbackHttp.PutAsync(http, "/api/ratedecks/bench", new StringContent("prefix,destination,rate,connect_fee,min_seconds,increment_seconds\n44,UK,1.00,0,60,60\n", Encoding.UTF8, "text/csv"), cancellationToken);

        var byCdr = new List<double>();
        var byTerminate = new List<double>();
        for (var i = 0; i < accounts; i++)
        {
            var cdrAccount = $"mcdr{i}";
            var callAccount = $"mcall{i}";
            foreach (var account in new[] { cdrAccount, callAccount })
            {
                using var put = await http.PutAsJsonAsync($"/api/accounts/{account}", new { name = "bench", mode = "postpaid", currency = "GBP", creditLimit = 10, hardLimit = true, rateDeckId = "bench" }, cancellationToken);
                put.EnsureSuccessStatusCode();
            }

            var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            var started = Stopwatch.GetTimestamp();
            using (var post = await http.PostAsync("/api/cdrs", new StringContent($"{Header}\nb{i},{cdrAccount},+441,+447700900123,{now},720,ANSWERED,\n", Encoding.UTF8, "text/csv"), cancellationToken))
            {
                post.EnsureSuccessStatusCode();
            }

            byCdr.Add(await WaitForAlertAsync(alerts, cdrAccount, started, cancellationToken));

            using (var grant = await http.PostAsJsonAsync("/api/authorize", new { sessionId = $"s{i}", accountId = callAccount, calledNumber = "+447700900123", requestedSeconds = 600 }, cancellationToken))
            {
                grant.EnsureSuccessStatusCode();
            }

            started = Stopwatch.GetTimestamp();
            using (var end = await http.PostAsJsonAsync($"/api/sessions/s{i}/terminate", new { requestNumber = 1, usedSeconds = 600 }, cancellationToken))
            {
                end.EnsureSuccessStatusCode();
            }

            byTerminate.Add(await WaitForAlertAsync(alerts, callAccount, started, cancellationToken));
        }

        Console.WriteLine($"delay from charge to alert stored, {accounts} accounts each (ms):");
        Console.WriteLine($"  CDR batch posted  p50 {Percentile(byCdr, 0.5):0.00}  p99 {Percentile(byCdr, 0.99):0.00}  max {byCdr.Max():0.00}");
        Console.WriteLine($"  terminate         p50 {Percentile(byTerminate, 0.5):0.00}  p99 {Percentile(byTerminate, 0.99):0.00}  max {byTerminate.Max():0.00}");

        await LagAsync(app.Services, seconds, cancellationToken);
        await app.StopAsync(cancellationToken);
        return 0;
    }

    /// <summary>Ingests batches of 5,000 CDRs over 1,000 accounts in process as fast as it can while the worker runs.</summary>
    private static async Task LagAsync(IServiceProvider services, int seconds, CancellationToken cancellationToken)
    {
        var admin = services.GetRequiredService<Core.Accounts.AccountService>();
        var ingestion = services.GetRequiredService<IngestionService>();
        var accountStore = services.GetRequiredService<IAccountStore>();
        var monitors = services.GetRequiredService<IMonitorStore>();
        const int Accounts = 1000;
        for (var a = 0; a < Accounts; a++)
        {
            await admin.UpsertAsync($"lag{a}", new Core.Accounts.AccountSettings("lag", Core.Accounts.AccountMode.Postpaid, new Core.Money.Currency("GBP"), 1_000_000m, false, "bench", 1, "Etc/UTC", Core.Accounts.TaxSettings.None), 0m, cancellationToken);
        }

        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var ingested = 0L;
        var watch = Stopwatch.StartNew();
        var batch = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            var csv = new StringBuilder(Header).Append('\n');
            for (var i = 0; i < 5000; i++)
            {
                csv.Append(CultureInfo.InvariantCulture, $"l{batch}-{i},lag{i % Accounts},+441,+447700900123,{now},60,ANSWERED,\n");
            }

            var result = await ingestion.IngestAsync(CdrCsvReader.Read(csv.ToString()).ToList(), "bench", cancellationToken);
            ingested += result.Accepted;
            batch++;
        }

        var ingestSeconds = watch.Elapsed.TotalSeconds;
        var stopped = Stopwatch.StartNew();
        int behind;
        do
        {
            behind = 0;
            for (var a = 0; a < Accounts; a++)
            {
                var account = (await accountStore.GetAsync($"lag{a}", cancellationToken))!.Value;
                if ((await monitors.GetAsync(account.AccountId, cancellationToken))?.Value.Revision < account.Revision)
                {
                    behind++;
                }
            }
        }
        while (behind > 0 && stopped.Elapsed < TimeSpan.FromSeconds(60));

        Console.WriteLine($"lag behind ingestion: {ingested:N0} CDRs in {ingestSeconds:0.0} s = {ingested / ingestSeconds:N0} CDRs/s (in process, 1,000 accounts)");
        Console.WriteLine($"  monitoring judged every account's newest version {stopped.Elapsed.TotalMilliseconds:0} ms after ingestion stopped ({(behind == 0 ? "caught up" : $"{behind} still behind")})");
    }

    private static async Task<double> WaitForAlertAsync(IAlertStore alerts, string account, long started, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if ((await alerts.ListAsync(account, 10, cancellationToken)).Any(a => a.Type == AlertType.ThresholdReached && a.Threshold == 1.0m))
            {
                return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"no alert for {account} within 10 s");
            }

            await Task.Delay(1, cancellationToken);
        }

        return double.NaN;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static int Value(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
    }
}
