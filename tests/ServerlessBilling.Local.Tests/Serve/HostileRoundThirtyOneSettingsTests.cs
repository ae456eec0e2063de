using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Commands.Serve;
using ServerlessBilling.Local.Tests.Support;

namespace ServerlessBilling.Local.Tests.Serve;

/// <summary>Round thirty-one of the hostile review, on the settings round thirty bounded.</summary>
public sealed class HostileRoundThirtyOneSettingsTests
{
    /// <summary>
    /// Cosmos:SessionTimeToLiveSeconds of -1 is Cosmos DB's "never expires", which the session index has always honoured
    /// (no keep-alive rewrites when documents do not expire): a deployment keeping its session history for good. Round
    /// thirty bounded the setting to a day to a year, -1 included, so such a deployment no longer started after the
    /// upgrade (exit 3, "must be at least 86400"). It is taken again; nothing listens on the endpoint, so the start goes on
    /// to the store and stops there, not at the setting.
    /// </summary>
    [Fact]
    public void A_session_time_to_live_of_minus_one_never_expires_and_is_taken()
    {
        var (exit, console) = ServeOnCosmos(17501, "--Cosmos:SessionTimeToLiveSeconds=-1");

        Assert.True(exit != ExitCodes.InvalidSetting, $"exit {exit}: {console.Error}");
        Assert.DoesNotContain("SessionTimeToLiveSeconds", console.Error.ToString(), StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:7840", console.Error.ToString(), StringComparison.Ordinal);
    }
    /// <summary>
    /// CreditControl:ClosedSessionsKept (at most 1,000) and CreditControl:MaxOpenSessionsPerAccount (default 2,000) were
    /// each checked on its own, and docs/operations.md gave both as what keeps the account document within Cosmos DB's
    /// 2 MB. Together they do not: 1,000 closed sessions kept of a usual Call-ID are 1.4 MB and 2,000 open ones 1.6 MB, so
    /// with 1,000 kept an account past about 700 open calls had every write refused. On Cosmos DB the start stops at the
    /// settings, naming both.
    /// </summary>
    [Fact]
    public void Sessions_kept_and_open_that_together_pass_a_cosmos_item_exit_3_naming_both()
    {
        var (exit, console) = ServeOnCosmos(17502, "--CreditControl:ClosedSessionsKept=1000");

        Assert.True(exit == ExitCodes.InvalidSetting, $"exit {exit}: {console.Error}");
        Assert.Contains("CreditControl:MaxOpenSessionsPerAccount (2000) and CreditControl:ClosedSessionsKept (1000)", console.Error.ToString(), StringComparison.Ordinal);
    }
    /// <summary>Serves on a Cosmos DB endpoint nothing listens on (the emulators' published key), with <paramref name="setting"/>.</summary>
    private static (int Exit, TestConsole Console) ServeOnCosmos(int port, string setting)
    {
        var console = new TestConsole();
        var exit = ServeCommand.Run(
            ["--no-demo", "--urls", $"http://127.0.0.1:{port}", "--Cosmos:Endpoint=https://127.0.0.1:7840/", $"--Cosmos:Key={ServeCommandTests.EmulatorKey}", "--Cosmos:CreateIfNotExists=true",
             "--Local:StoreStartTimeout=00:00:02", setting, "--Logging:LogLevel:Default=None"],
            console.Out, console.Error);
        return (exit, console);
    }
}
