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

        // Values a start used to accept that broke the product later: a timer or a deadline past 0xFFFFFFFE ms throws (the
        // sweep or the invoice run, at start; every authorize, top-up or CDR batch, on each call), a default grace of
        // 2 × validity overflows past a billion seconds, and a retention near TimeSpan.MaxValue overflows the sweep's arithmetic.
        { "--Local:SweepInterval=50.00:00:00", "Local:SweepInterval must be more than 0 and at most 1.00:00:00" },
        { "--Local:InvoiceRunInterval=50.00:00:00", "Local:InvoiceRunInterval must be from 0 to 31.00:00:00 (zero turns the run off)" },
        { "--Local:StoreStartTimeout=50.00:00:00", "Local:StoreStartTimeout must be more than 0 and at most 01:00:00" },
        { "--CreditControl:ValiditySeconds=2000000000", "CreditControl:ValiditySeconds must be from 1 to 86400" },
        { "--CreditControl:StoreDeadline=50.00:00:00", "CreditControl:StoreDeadline must be more than 0 and at most 01:00:00" },
        { "--CreditControl:AdminDeadline=50.00:00:00", "CreditControl:AdminDeadline must be more than 0 and at most 01:00:00" },
        { "--CreditControl:BatchDeadline=50.00:00:00", "CreditControl:BatchDeadline must be more than 0 and at most 01:00:00" },
        { "--CreditControl:ClosedSessionRetention=10675199.02:48:05.4775807", "CreditControl:ClosedSessionRetention must be from 0 to 365.00:00:00" },
        { "--CreditControl:ClosedSessionRetention=-00:00:01", "CreditControl:ClosedSessionRetention must not be negative" },
        { "--CreditControl:GraceSeconds=2147483647", "CreditControl:GraceSeconds must be from 0 to 604800 (a week)" }, // a reservation held 68 years

        // Every step rewrites the account document whole, closed sessions kept included: a huge count let it grow with each
        // call without end (past Cosmos DB's 2 MB item limit, and ever slower on every store).
        { "--CreditControl:ClosedSessionsKept=100000000", "CreditControl:ClosedSessionsKept must be from 1 to 1000" },
        { "--CreditControl:MaxOpenSessionsPerAccount=0", "CreditControl:MaxOpenSessionsPerAccount must be at least 1" },
        { "--CreditControl:MaxOpenSessionsPerAccount=1000000", "CreditControl:MaxOpenSessionsPerAccount must be from 1 to 10000" },
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
