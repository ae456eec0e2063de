using Microsoft.Extensions.Options;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>Every settings class of the local host is checked when it starts: a bad value stops the start and is named.</summary>
public sealed class StartupSettingsTests
{
    public static TheoryData<string, string> BadSettings => new()
    {
        { "--Local:SweepInterval=00:00:00", "Local:SweepInterval" },
        { "--Local:StoreStartTimeout=-00:00:01", "Local:StoreStartTimeout" },
        { "--Local:InvoiceRunInterval=-1.00:00:00", "Local:InvoiceRunInterval" },
        { "--CreditControl:ValiditySeconds=0", "CreditControl:ValiditySeconds" },
        { "--CreditControl:MaxConcurrencyRetries=0", "CreditControl:MaxConcurrencyRetries" },
        { "--Invoicing:Parallelism=0", "Invoicing:Parallelism" },
        { "--Alerts:WebhookAttempts=0", "Alerts:WebhookAttempts" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_stops_the_start_and_is_named(string argument, string setting)
    {
        await using var app = LocalHost.Build(["--urls", "http://127.0.0.1:0", "--Store=memory", "--Local:SeedDemo=false", argument]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }
}
