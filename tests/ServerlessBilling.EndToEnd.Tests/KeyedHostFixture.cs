using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>The local host with a switch key and two admin keys, logging everything (down to Trace) into <see cref="Logs"/>.</summary>
public class KeyedHostFixture : LocalHostFixture
{
    public const string SwitchKey = "e2e-switch-key-4f7c1a9b";
    public const string AdminKey = "e2e-admin-key-7d2e5c3a";
    public const string SecondAdminKey = "e2e-admin-key-second-91b0";

    public CapturedLogs Logs { get; } = new();

    protected override IEnumerable<string> Settings =>
    [
        "--Logging:LogLevel:Default=Trace",
        $"--Auth:SwitchKeys={SwitchKey}",
        $"--Auth:AdminKeys={AdminKey}, {SecondAdminKey}",
    ];

    protected override void Configure(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(Logs);
    }
}

/// <summary>The keyed host with a per-key rate limit of <see cref="PerSecond"/> requests per second.</summary>
public sealed class RateLimitedHostFixture : KeyedHostFixture
{
    public const int PerSecond = 3;

    protected override IEnumerable<string> Settings => [.. base.Settings, $"--Limits:RequestsPerSecondPerKey={PerSecond}"];
}

/// <summary>The keyless host with small body limits: 4 KB for any body, 512 bytes for JSON.</summary>
public sealed class SmallBodyHostFixture : LocalHostFixture
{
    public const int MaxRequestBodyBytes = 4096;
    public const int MaxJsonBodyBytes = 512;

    protected override IEnumerable<string> Settings =>
        [.. base.Settings, $"--Limits:MaxRequestBodyBytes={MaxRequestBodyBytes}", $"--Limits:MaxJsonBodyBytes={MaxJsonBodyBytes}"];
}
