using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Commands.Serve;
using ServerlessBilling.Local.Hosting;
using ServerlessBilling.Local.Tests.Support;

namespace ServerlessBilling.Local.Tests.Serve;

/// <summary>
/// The session history must outlive the longest a session may go unreported and still be terminated: its grant's
/// validity (CreditControl:MaxQuotaSeconds or ValiditySeconds) and grace, then CreditControl:ClosedSessionRetention
/// lapsed. Each setting was checked on its own, so a shorter history started and later answered such a terminate 404.
/// </summary>
public sealed class SessionHistorySettingsTests
{
    [Fact]
    public async Task A_memory_session_history_shorter_than_a_session_may_live_stops_the_start_naming_both_settings()
    {
        // A day of history, and sessions kept two days after they lapse (the default): a call whose switch lost touch
        // for a day and a half and then sent its terminate found no session (404), while its account still held it.
        await using var app = LocalHost.Build(["--urls=http://127.0.0.1:17404", "--Store=memory", "--Local:SeedDemo=false", "--Memory:SessionHistoryRetention=1.00:00:00"]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("Memory:SessionHistoryRetention (1.00:00:00)", error.Message, StringComparison.Ordinal);
        Assert.Contains("CreditControl:ClosedSessionRetention", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_memory_session_history_that_outlives_the_sessions_is_taken()
    {
        await using var app = LocalHost.Build(
            ["--urls=http://127.0.0.1:17405", "--Store=memory", "--Local:SeedDemo=false", "--Memory:SessionHistoryRetention=1.00:00:00", "--CreditControl:ClosedSessionRetention=12:00:00"]);

        Assert.Equal(TimeSpan.FromDays(1), app.Services.GetRequiredService<MemoryStoreOptions>().SessionHistoryRetention);
    }

    [Fact]
    public void A_cosmos_session_time_to_live_shorter_than_twice_a_session_may_live_exits_3_naming_both_settings()
    {
        // The index writes an open call's entry again only when a report finds it past half its time to live, so an entry
        // may be that old at a call's last report: what follows it (validity, grace, the lapsed session's retention) must
        // fit in the other half. A day's time to live (the shortest taken) with sessions kept two days lapsed did not.
        var console = new TestConsole();
        var exit = ServeCommand.Run(
            ["--no-demo", "--urls", "http://127.0.0.1:17403", "--Cosmos:Endpoint=https://127.0.0.1:7841/", $"--Cosmos:Key={ServeCommandTests.EmulatorKey}", "--Cosmos:CreateIfNotExists=true",
             "--Local:StoreStartTimeout=00:00:02", "--Cosmos:SessionTimeToLiveSeconds=86400", "--Logging:LogLevel:Default=None"],
            console.Out, console.Error);

        Assert.True(exit == ExitCodes.InvalidSetting, $"exit {exit}: {console.Error}");
        Assert.Contains("Cosmos:SessionTimeToLiveSeconds (86400)", console.Error.ToString(), StringComparison.Ordinal);
        Assert.Contains("CreditControl:ClosedSessionRetention", console.Error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A closed-session retention of a year (the longest taken) needs a time to live of about two years, past the longest
    /// Cosmos:SessionTimeToLiveSeconds takes (a year): the start said "keep it at least 64,454,400", a value its own check
    /// then refuses, and left out the one that works, -1 (never expires).
    /// </summary>
    [Fact]
    public void A_retention_no_cosmos_time_to_live_can_cover_names_never_expires_and_no_value_out_of_range()
    {
        var console = new TestConsole();
        var exit = ServeCommand.Run(
            ["--no-demo", "--urls", "http://127.0.0.1:17452", "--Cosmos:Endpoint=https://127.0.0.1:17491/", $"--Cosmos:Key={ServeCommandTests.EmulatorKey}", "--Cosmos:CreateIfNotExists=true",
             "--Local:StoreStartTimeout=00:00:02", "--Cosmos:SessionTimeToLiveSeconds=31536000", "--CreditControl:ClosedSessionRetention=365.00:00:00", "--Logging:LogLevel:Default=None"],
            console.Out, console.Error);

        Assert.True(exit == ExitCodes.InvalidSetting, $"exit {exit}: {console.Error}");
        Assert.Contains("set it to -1 (never expires)", console.Error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("keep it at least", console.Error.ToString(), StringComparison.Ordinal);
    }
}
