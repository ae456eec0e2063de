using System.Net.Http.Json;
using System.Text.Json;
using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Commands.Simulate;

namespace ServerlessBilling.EndToEnd.Tests.Simulate;

/// <summary>The switch simulator against a real local host (memory store): books agree, the runaway is caught.</summary>
public sealed class SimulateHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private HttpClient Client => host.Client;

    [Fact]
    public async Task A_seeded_run_agrees_with_the_platform_and_the_runaway_account_is_alerted_suspended_and_invoiced()
    {
        var (exit, output) = await SimulateAsync("--seed", "7", "--rate", "40", "--duration", "3s", "--speed", "900", "--id-prefix", "e2e-ok", "--invoice");

        Assert.True(exit == ExitCodes.Ok, output);
        Assert.Contains("result     the platform's books agree with the simulator's rating (9 accounts and the invoice)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("MISMATCH", output, StringComparison.Ordinal);

        // Calls end when their grant says so: no use is ever reported beyond what was granted.
        Assert.DoesNotContain("GRANT_OVERRUN", output, StringComparison.Ordinal);

        var runaway = await Client.GetFromJsonAsync<JsonElement>("/api/accounts/e2e-ok-runaway/balance");
        Assert.Equal("suspended", runaway.GetProperty("status").GetString());
        Assert.True(runaway.GetProperty("periodSpend").GetDecimal() >= SimulatedAccount.RunawaySpend);
        var alerts = (await Client.GetFromJsonAsync<JsonElement>("/api/alerts?accountId=e2e-ok-runaway")).GetProperty("items").EnumerateArray()
            .Select(a => a.GetProperty("type").GetString()).ToList();
        Assert.Contains("THRESHOLD_REACHED", alerts);
        Assert.Contains("VELOCITY_ANOMALY", alerts);
        Assert.Contains("ACCOUNT_SUSPENDED", alerts);
        Assert.Contains("ACCOUNT_SUSPENDED  e2e-ok-runaway", output, StringComparison.Ordinal);

        // Every account the run made: nothing left reserved or open, on the platform's own word.
        foreach (var name in SimulatedAccount.All(invoice: true).Select(a => a.Name))
        {
            var balance = await Client.GetFromJsonAsync<JsonElement>($"/api/accounts/e2e-ok-{name}/balance");
            Assert.Equal(0m, balance.GetProperty("reserved").GetDecimal());
            Assert.Equal(0, balance.GetProperty("activeSessions").GetInt32());
        }

        var invoices = await Client.GetFromJsonAsync<JsonElement>("/api/accounts/e2e-ok-billed/invoices");
        Assert.Equal(CallPlan.LastMonthLabel(DateTimeOffset.UtcNow.AddSeconds(-30)), invoices.GetProperty("items")[0].GetProperty("period").GetString());
    }

    [Fact]
    public async Task A_top_up_behind_the_simulators_back_is_a_mismatch_and_exits_1()
    {
        using var done = new CancellationTokenSource();
        var meddler = Task.Run(async () =>
        {
            // As soon as the run has made the account, an operator credits it without telling the simulator.
            while (!done.IsCancellationRequested)
            {
                using var topUp = await Client.PostAsJsonAsync("/api/accounts/e2e-wrong-pre-4/topups", new { topupId = "behind-the-back", amount = 1.25m });
                if (topUp.IsSuccessStatusCode)
                {
                    return true;
                }

                await Task.Delay(20);
            }

            return false;
        });

        var (exit, output) = await SimulateAsync("--seed", "8", "--rate", "20", "--duration", "2s", "--speed", "1800", "--id-prefix", "e2e-wrong");
        await done.CancelAsync();

        Assert.True(await meddler);
        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("MISMATCH   e2e-wrong-pre-4: balance is ", output, StringComparison.Ordinal);
        Assert.Contains("(difference 1.25)", output, StringComparison.Ordinal);
        Assert.Contains("result     the platform's books DO NOT agree with the simulator's rating: 1 mismatches", output, StringComparison.Ordinal);
    }

    private async Task<(int Exit, string Output)> SimulateAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await new SimulateCommand(stdout, stderr, null, TimeProvider.System).RunAsync(["--url", Client.BaseAddress!.ToString(), .. args]);
        return (exit, stdout + stderr.ToString());
    }
}
