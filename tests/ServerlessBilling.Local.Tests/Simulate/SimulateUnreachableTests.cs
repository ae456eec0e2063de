using System.Net;
using System.Net.Sockets;
using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Commands.Simulate;

namespace ServerlessBilling.Local.Tests.Simulate;

public sealed class SimulateUnreachableTests
{
    [Fact]
    public async Task A_platform_that_does_not_answer_exits_6_and_says_so()
    {
        // A port that was free a moment ago: nothing listens on it.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var exit = await new SimulateCommand(stdout, stderr, null, TimeProvider.System) { FirstRetryDelay = TimeSpan.FromMilliseconds(1) }
            .RunAsync(["--url", $"http://127.0.0.1:{port}", "--duration", "1s"]);

        Assert.Equal(ExitCodes.PlatformUnreachable, exit);
        Assert.Contains($"result     stopped: PUT /api/ratedecks/simulator: ", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("(after 6 attempts)", stdout.ToString(), StringComparison.Ordinal);
    }
}
