using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// Round fourteen of the hostile review, on the local host over an account store that freezes on demand (a store
/// behind a network partition): every route a switch calls answers 503 within the store deadline, and nothing is
/// charged twice once the store thaws.
/// </summary>
public sealed class HostileRoundFourteenEndToEndTests : IAsyncLifetime
{
    private const string Header = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition";

    /// <summary>Far longer than the deadlines set below: an answer that took this long waited for the thaw.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(8);

    private readonly FrozenStoreHostFixture _host = new();

    private StallingAccountStore Store => _host.Store;

    private HttpClient Client => _host.Client;

    /// <summary>For the calls after the thaw (<see cref="ThawedStoreClient"/>).</summary>
    private HttpClient Thawed { get; set; } = null!;

    public async Task InitializeAsync()
    {
        await _host.InitializeAsync();
        _host.Client.Timeout = Patience;
        Thawed = ThawedStoreClient.For(_host.Client);
    }

    public async Task DisposeAsync()
    {
        Thawed.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_balance_read_on_a_frozen_store_is_503_with_retry_after_within_the_deadline()
    {
        // Balance is a switch route (docs/api.md), and a switch that checks credit before a call waits on it as it waits
        // on authorize. It read the store with no deadline: a frozen store held the switch's request until the store
        // came back (or the switch gave up), instead of the 503 with Retry-After that authorize answers.
        Store.Freeze();
        var started = System.Diagnostics.Stopwatch.StartNew();

        using var response = await Client.GetAsync("/api/accounts/smb/balance");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"answered after {started.Elapsed}");
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("did not answer within 300 ms", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        Store.Thaw();
        Assert.Equal(100m, await BalanceAsync());
    }

    [Fact]
    public async Task A_terminate_whose_write_froze_is_503_and_its_retry_after_the_thaw_charges_the_call_once()
    {
        var session = $"frozen-term-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsJsonAsync("/api/authorize", new { sessionId = session, accountId = "smb", calledNumber = "+33612345678" })).StatusCode);
        Store.Freeze(writesOnly: true);

        using (var frozen = await Client.PostAsJsonAsync($"/api/sessions/{session}/terminate", new { requestNumber = 1, usedSeconds = 60 }))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, frozen.StatusCode);
        }

        // The abandoned write lands when the store thaws; the switch's retry then gets the stored answer.
        Store.Thaw();
        await Task.Delay(200);
        var first = await Thawed.PostAsJsonAsync($"/api/sessions/{session}/terminate", new { requestNumber = 1, usedSeconds = 60 });
        var again = await Thawed.PostAsJsonAsync($"/api/sessions/{session}/terminate", new { requestNumber = 1, usedSeconds = 60 });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var charge = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("charge").GetDecimal();
        Assert.True(charge > 0m);
        Assert.Equal(charge, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("charge").GetDecimal());
        Assert.Equal(100m - charge, await BalanceAsync());
        Assert.Equal(0m, (await BalanceBodyAsync()).GetProperty("reserved").GetDecimal());
    }

    [Fact]
    public async Task A_cdr_batch_on_a_frozen_store_is_503_within_the_batch_deadline_and_its_retry_charges_each_cdr_once()
    {
        var cdr = $"frozen-cdr-{Guid.NewGuid():N}";
        var csv = $"{Header}\n{cdr},smb,+441,+33612345678,2026-11-20T10:00:00Z,60,ANSWERED\n";
        Store.Freeze();

        using (var frozen = await Client.PostAsync("/api/cdrs", new StringContent(csv, Encoding.UTF8, "text/csv")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, frozen.StatusCode);
            Assert.True(frozen.Headers.Contains("Retry-After"));
        }

        Store.Thaw();
        await Task.Delay(200);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var retry = await Thawed.PostAsync("/api/cdrs", new StringContent(csv, Encoding.UTF8, "text/csv"));
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            var body = await retry.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(1, body.GetProperty("accepted").GetInt32() + body.GetProperty("duplicates").GetInt32());
        }

        var charged = 100m - await BalanceAsync();
        Assert.True(charged > 0m);
        var usage = await Thawed.GetFromJsonAsync<JsonElement>("/api/accounts/smb/usage");
        Assert.Equal(charged, usage.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("cdrId").GetString() == cdr).GetProperty("charge").GetDecimal());
    }

    [Fact]
    public async Task A_top_up_on_a_frozen_store_is_503_within_the_admin_deadline_and_its_retry_credits_once()
    {
        // Admin writes had no deadline: a top-up on a frozen store held the operator's request until the store came back.
        var topUp = new { topupId = $"frozen-top-{Guid.NewGuid():N}", amount = 25m };
        Store.Freeze();
        var started = System.Diagnostics.Stopwatch.StartNew();

        using (var frozen = await Client.PostAsJsonAsync("/api/accounts/smb/topups", topUp))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, frozen.StatusCode);
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"answered after {started.Elapsed}");
            Assert.Equal("1", frozen.Headers.GetValues("Retry-After").Single());
            var problem = await frozen.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("top-up: the store did not answer within 500 ms", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // Whether or not the abandoned write landed at the thaw, the operator's retries credit the amount exactly once.
        Store.Thaw();
        await Task.Delay(200);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var retry = await Thawed.PostAsJsonAsync("/api/accounts/smb/topups", topUp);
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        }

        Assert.Equal(125m, await BalanceAsync());
    }

    [Fact]
    public async Task Suspend_and_resume_on_a_frozen_store_are_503_within_the_admin_deadline_and_work_after_the_thaw()
    {
        Store.Freeze(writesOnly: true);
        using (var suspend = await Client.PostAsJsonAsync("/api/accounts/smb/suspend", new { reason = "fraud check" }))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, suspend.StatusCode);
        }

        Store.Thaw();
        await Task.Delay(200);
        using (var suspend = await Thawed.PostAsJsonAsync("/api/accounts/smb/suspend", new { reason = "fraud check" }))
        {
            Assert.Equal(HttpStatusCode.OK, suspend.StatusCode);
        }

        Assert.Equal("suspended", (await BalanceBodyAsync()).GetProperty("status").GetString());

        // A resume must write to lift the suspension: frozen, that write is 503. (One sent while the suspend above was still
        // stalled found the account active, as stored, and had nothing to write: it no longer queues behind the stalled
        // suspend until its own deadline, see AccountUpdater.MaxQueueWait.)
        Store.Freeze(writesOnly: true);
        using (var resume = await Client.PostAsync("/api/accounts/smb/resume", null))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, resume.StatusCode);
        }

        Store.Thaw();
        await Task.Delay(200);
        using (var resume = await Thawed.PostAsync("/api/accounts/smb/resume", null))
        {
            Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        }

        Assert.Equal("active", (await BalanceBodyAsync()).GetProperty("status").GetString());
    }

    private async Task<JsonElement> BalanceBodyAsync() =>
        await Thawed.GetFromJsonAsync<JsonElement>("/api/accounts/smb/balance");

    private async Task<decimal> BalanceAsync() => (await BalanceBodyAsync()).GetProperty("balance").GetDecimal();
}

/// <summary>The local host over an account store that freezes on demand, with short store deadlines (300 ms, batches and admin calls 500 ms).</summary>
public sealed class FrozenStoreHostFixture : LocalHostFixture
{
    public StallingAccountStore Store { get; } = new(new InMemoryAccountStore());

    protected override IEnumerable<string> Settings =>
        [.. base.Settings, "--CreditControl:StoreDeadline=00:00:00.300", "--CreditControl:BatchDeadline=00:00:00.500", "--CreditControl:AdminDeadline=00:00:00.500"];

    protected override void Configure(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IAccountStore>(Store);
    }

    public override Task DisposeAsync()
    {
        Store.Thaw();
        return base.DisposeAsync();
    }
}

/// <summary>Round fourteen of the hostile review: the per-key rate limit on a host without keys (loopback only).</summary>
public sealed class HostileRoundFourteenAccessTests(KeylessRateLimitedHostFixture host) : IClassFixture<KeylessRateLimitedHostFixture>
{
    [Fact]
    public async Task On_a_keyless_host_the_rate_limit_leaves_health_and_the_open_routes_alone()
    {
        // Without keys every loopback caller is one caller, and it was set for every request, open routes included: the
        // API's burst spent the same bucket as /healthz and /readyz, so a busy host answered its liveness probe 429 (a
        // supervisor then restarts a host that is only busy). docs/api.md: those routes need no key, so no key's limit.
        var burst = await Task.WhenAll(Enumerable.Range(0, 8 * KeylessRateLimitedHostFixture.PerSecond).Select(_ => host.Client.GetAsync("/api/accounts/smb/balance")));
        var throttled = burst.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        foreach (var response in burst)
        {
            response.Dispose();
        }

        var probes = new List<HttpStatusCode>();
        foreach (var path in new[] { "/healthz", "/readyz", "/healthz", "/", "/openapi/v1.json", "/healthz" })
        {
            using var probe = await host.Client.GetAsync(path);
            probes.Add(probe.StatusCode);
        }

        Assert.True(throttled > 0, "the API burst was not throttled at all");
        Assert.All(probes, s => Assert.Equal(HttpStatusCode.OK, s));
    }
}

/// <summary>The keyless (loopback-only) host with a per-key rate limit of <see cref="PerSecond"/> requests per second.</summary>
public sealed class KeylessRateLimitedHostFixture : LocalHostFixture
{
    public const int PerSecond = 2;

    protected override IEnumerable<string> Settings => [.. base.Settings, $"--Limits:RequestsPerSecondPerKey={PerSecond}"];
}

/// <summary>Round fourteen of the hostile review: a declared body length far past the host's request limit.</summary>
public sealed class HostileRoundFourteenLimitsTests(SmallBodyHostFixture host) : IClassFixture<SmallBodyHostFixture>
{
    [Fact]
    public async Task A_deck_upload_that_declares_a_length_past_the_request_limit_is_413_before_any_buffer_of_that_size()
    {
        // A deck may be 256 MiB by the route's own limit, so a declared length under that passed the route's check, and
        // the reader made a buffer of the declared size before the server refused the body (413) at the first read:
        // each such request, a few bytes on the wire, cost 256 MiB of zeroed memory, and a handful at once took the
        // host's memory from 100 MB to 900 MB.
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(host.Client.BaseAddress!.Host, host.Client.BaseAddress.Port);
        var stream = socket.GetStream();
        var before = GC.GetTotalAllocatedBytes(precise: true);

        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "PUT /api/ratedecks/declared-huge HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 268435455\r\nConnection: close\r\n\r\nprefix"));
        var answer = await ReadAnswerAsync(stream);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.StartsWith("HTTP/1.1 413", answer, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", answer, StringComparison.Ordinal);
        Assert.True(allocated < 64L << 20, $"{allocated} bytes allocated while refusing a 6-byte body");
    }

    private static async Task<string> ReadAnswerAsync(Stream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[16 * 1024];
        var text = new StringBuilder();
        int read;
        while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        return text.ToString();
    }
}
