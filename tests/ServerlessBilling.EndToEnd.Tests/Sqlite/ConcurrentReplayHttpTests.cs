using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.EndToEnd.Tests.Sqlite;

/// <summary>
/// A switch or collector that posts the same large batch twice at once (a retry after a timeout while the first is
/// still running), with more of one account's CDRs than the account document's applied set holds: each CDR is
/// charged once, on the default store and on memory.
/// </summary>
public sealed class ConcurrentReplayHttpTests : IDisposable
{
    private readonly TempFolder _data = new();

    public void Dispose() => _data.Dispose();

    private static string Batch(string account, int calls)
    {
        var csv = new StringBuilder("cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\n");
        for (var i = 0; i < calls; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"dup-{i:D5},{account},+442071234567,+33612345678,2026-11-26T10:{i % 60:D2}:00Z,{30 + (i % 300)},ANSWERED,\n");
        }

        return csv.ToString();
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("memory")]
    public async Task The_same_long_batch_posted_twice_at_once_charges_each_cdr_once(string store)
    {
        await using var app = LocalHost.Build(["--urls", "http://127.0.0.1:0", "--Store=" + store, "--Local:DataDirectory=" + _data.Path, "--Logging:LogLevel:Default=Warning"]);
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()), Timeout = TimeSpan.FromMinutes(3) };
        await client.PutPrepaidAsync("twice", 100_000m);
        await client.PutPrepaidAsync("once", 100_000m);
        const int calls = 2_500;

        var results = await Task.WhenAll(client.PostCsvAsync(Batch("twice", calls)), client.PostCsvAsync(Batch("twice", calls)));
        var single = await client.PostCsvAsync(Batch("once", calls));

        Assert.Equal(calls, results.Sum(r => r.GetProperty("accepted").GetInt32()));
        Assert.Equal(calls, results.Sum(r => r.GetProperty("duplicates").GetInt32()));
        Assert.Equal(calls, single.GetProperty("accepted").GetInt32());
        var (twice, once) = (await client.BalanceAsync("twice"), await client.BalanceAsync("once"));
        Assert.Equal(once.GetProperty("balance").GetDecimal(), twice.GetProperty("balance").GetDecimal());
        Assert.True(once.GetProperty("balance").GetDecimal() < 100_000m);
        var usage = await client.GetJsonAsync("/api/accounts/twice/usage?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&limit=10000");
        Assert.Equal(calls, usage.GetProperty("items").GetArrayLength());

        var again = await client.PostCsvAsync(Batch("twice", calls));
        Assert.Equal((0, calls), (again.GetProperty("accepted").GetInt32(), again.GetProperty("duplicates").GetInt32()));
        Assert.Equal(once.GetProperty("balance").GetDecimal(), (await client.BalanceAsync("twice")).GetProperty("balance").GetDecimal());
        await app.StopAsync();
    }
}
