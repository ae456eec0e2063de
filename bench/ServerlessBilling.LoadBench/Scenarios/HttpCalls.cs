using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using ServerlessBilling.LoadBench.Calls;
using ServerlessBilling.LoadBench.Infrastructure;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary>What the <c>http</c> scenario sends: the set-up over the API, the authorize/terminate loop, the no-op baseline, and their timing.</summary>
internal static class HttpCalls
{
    public const string NoopPath = "/loadbench/noop";
    public const string ApiBase = "/api";

    private static readonly byte[] Success = "\"SUCCESS\""u8.ToArray();
    private static readonly byte[] TerminateBody = """{"requestNumber":1,"usedSeconds":42}"""u8.ToArray();
    private static readonly Uri AuthorizeUri = new("/api/authorize", UriKind.Relative);
    private static readonly Uri NoopUri = new(NoopPath, UriKind.Relative);

    /// <summary>What one timed closed-loop run measured, with what the process spent on it.</summary>
    public sealed record Measured(LoopResult Result, RunCost Cost);

    public static async Task<Measured> MeasureAsync(int concurrency, double seconds, int maxRequests, ClosedLoop.Operation operation, CancellationToken cancellationToken, int unit = 1)
    {
        var meter = RunMeter.Start();
        var result = await ClosedLoop.RunAsync(concurrency, TimeSpan.FromSeconds(seconds), maxRequests, operation, cancellationToken, unit);
        return new Measured(result, meter.Stop(result.Seconds));
    }

    /// <summary>The bench deck and <paramref name="accounts"/> pre-paid accounts "{prefix}000000"…, through PUT /api/ratedecks and PUT /api/accounts.</summary>
    public static async Task SetUpAsync(HttpClient client, string prefix, int accounts, CancellationToken cancellationToken)
    {
        using (var deck = new StringContent(BenchData.DeckCsv, Encoding.UTF8, "text/csv"))
        {
            await LoopbackHttp.PutAsync(client, "/api/ratedecks/" + BenchData.DeckId, deck, cancellationToken);
        }

        var body = Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $$$"""{"name":"Load bench","mode":"prepaid","currency":"GBP","initialBalance":{{{BenchData.OpeningBalance}}},"rateDeckId":"{{{BenchData.DeckId}}}","billingDay":1,"timeZone":"Europe/London","tax":{"treatment":"exempt"}}"""));
        await Parallel.ForEachAsync(
            BenchData.Ids(prefix, accounts),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (id, ct) =>
            {
                using var content = LoopbackHttp.Content(body, LoopbackHttp.Json);
                await LoopbackHttp.PutAsync(client, "/api/accounts/" + id, content, ct);
            });
    }

    /// <summary>Even sequence numbers authorize session seq/2 of the loop, odd ones terminate it.</summary>
    public static ClosedLoop.Operation CallOperation(HttpClient client, string[] accounts, int loops, string phase, CancellationToken cancellationToken) =>
        CallOperation(client, accounts, loops, phase, ApiBase, cancellationToken);

    /// <summary>The same calls under another base than /api (the bench-only baselines of the same shape).</summary>
    public static ClosedLoop.Operation CallOperation(HttpClient client, string[] accounts, int loops, string phase, string basePath, CancellationToken cancellationToken)
    {
        var authorizeUri = basePath == ApiBase ? AuthorizeUri : new Uri(basePath + "/authorize", UriKind.Relative);
        var sessions = basePath + "/sessions/";
        return async (loop, sequence) =>
        {
            var pair = sequence >> 1;
            var sessionId = string.Create(CultureInfo.InvariantCulture, $"{phase}-{loop}-{pair}");
            if ((sequence & 1) == 0)
            {
                var accountId = accounts[(int)((pair * loops + loop) % accounts.Length)];
                var body = Encoding.UTF8.GetBytes(string.Create(
                    CultureInfo.InvariantCulture,
                    $$"""{"sessionId":"{{sessionId}}","accountId":"{{accountId}}","callingNumber":"{{BenchData.CallingNumber}}","calledNumber":"{{BenchData.CalledNumber}}","requestedSeconds":{{BenchData.RequestedSeconds}}}"""));
                return await PostAsync(client, authorizeUri, body, cancellationToken);
            }

            return await PostAsync(client, new Uri(sessions + sessionId + "/terminate", UriKind.Relative), TerminateBody, cancellationToken);
        };
    }

    public static ClosedLoop.Operation NoopOperation(HttpClient client, CancellationToken cancellationToken) =>
        NoopOperation(client, NoopUri, cancellationToken);

    /// <summary>The echo's body posted to another echo path.</summary>
    public static ClosedLoop.Operation NoopOperation(HttpClient client, Uri path, CancellationToken cancellationToken) =>
        async (_, _) => await PostAsync(client, path, TerminateBody, cancellationToken);

    /// <summary>Every other measurement, from <paramref name="parity"/>: the authorizes (0) or the terminates (1) of a loop.</summary>
    public static long[] Every(ReadOnlySpan<long> ticks, int parity)
    {
        var picked = new long[(ticks.Length + 1 - parity) / 2];
        var n = 0;
        for (var i = parity; i < ticks.Length; i += 2)
        {
            picked[n++] = ticks[i];
        }

        return picked;
    }

    private static async Task<bool> PostAsync(HttpClient client, Uri uri, byte[] body, CancellationToken cancellationToken)
    {
        try
        {
            using var content = LoopbackHttp.Content(body, LoopbackHttp.Json);
            using var response = await client.PostAsync(uri, content, cancellationToken);
            var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return response.StatusCode == HttpStatusCode.OK && answer.AsSpan().IndexOf(Success) >= 0;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Mean time spent around the endpoint on the server, by endpoint kind.</summary>
    public sealed class ServerTiming
    {
        private readonly StripedCounter[] _ticks = [new(), new(), new()];
        private readonly StripedCounter[] _counts = [new(), new(), new()];

        public void Record(PathString path, long ticks)
        {
            var kind = path.StartsWithSegments("/api/authorize", StringComparison.Ordinal) ? 0
                : path.StartsWithSegments("/api/sessions", StringComparison.Ordinal) ? 1
                : path.StartsWithSegments(NoopPath, StringComparison.Ordinal) ? 2
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
}
