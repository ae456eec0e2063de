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
        var console = new TestConsole();

        var exit = ServeCommand.Run(
            ["--no-demo", "--urls", "http://127.0.0.1:17501", "--Cosmos:Endpoint=https://127.0.0.1:7840/", $"--Cosmos:Key={ServeCommandTests.EmulatorKey}", "--Cosmos:CreateIfNotExists=true",
             "--Local:StoreStartTimeout=00:00:02", "--Cosmos:SessionTimeToLiveSeconds=-1", "--Logging:LogLevel:Default=None"],
            console.Out, console.Error);

        Assert.True(exit != ExitCodes.InvalidSetting, $"exit {exit}: {console.Error}");
        Assert.DoesNotContain("SessionTimeToLiveSeconds", console.Error.ToString(), StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:7840", console.Error.ToString(), StringComparison.Ordinal);
    }
}
