using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Commands.Simulate;

namespace ServerlessBilling.EndToEnd.Tests.Simulate;

/// <summary>The simulator on a host with keys: an admin key drives it; another key is refused up front.</summary>
public sealed class SimulateKeyTests(KeyedHostFixture host) : IClassFixture<KeyedHostFixture>
{
    [Fact]
    public async Task An_admin_key_drives_the_run()
    {
        var (exit, output) = await SimulateAsync(KeyedHostFixture.AdminKey, "--seed", "9", "--rate", "10", "--duration", "1s", "--speed", "1800", "--id-prefix", "e2e-key");

        Assert.True(exit == ExitCodes.Ok, output);
    }

    [Theory]
    [InlineData(KeyedHostFixture.SwitchKey, "403")]
    [InlineData("not-a-key-of-this-host-0000", "401")]
    public async Task A_key_that_is_not_an_admin_key_exits_2_before_any_call(string key, string status)
    {
        var (exit, output) = await SimulateAsync(key, "--duration", "1s", "--id-prefix", "e2e-refused");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"result     stopped: the platform refused the key (PUT /api/ratedecks/simulator: {status} ", output, StringComparison.Ordinal);
        Assert.Contains("calls      0 placed", output, StringComparison.Ordinal);
        Assert.DoesNotContain("books      account", output, StringComparison.Ordinal);
    }

    private async Task<(int Exit, string Output)> SimulateAsync(string key, params string[] args)
    {
        var stdout = new StringWriter();
        var exit = await new SimulateCommand(stdout, stdout, null, TimeProvider.System).RunAsync(["--url", host.Client.BaseAddress!.ToString(), "--key", key, .. args]);
        return (exit, stdout.ToString());
    }
}
