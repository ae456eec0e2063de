using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.Local.Tests.Serve;

/// <summary>
/// ASP.NET Core's per-request diagnostics (an Activity and a log scope on every request) are off while the settings
/// leave their log category at Warning or above; a setting that lowers it logs requests again.
/// </summary>
public sealed class RequestDiagnosticsTests
{
    private static readonly string[] Base = ["--urls=http://127.0.0.1:0", "--Store=memory", "--Local:SeedDemo=false"];

    [Theory]
    [InlineData(null)]
    [InlineData("--Logging:LogLevel:Microsoft.AspNetCore=Error")]
    [InlineData("--Logging:LogLevel:Default=Debug")] // the shipped Microsoft.AspNetCore=Warning still applies to it
    public async Task While_the_settings_leave_it_at_warning_the_request_diagnostics_category_is_off_at_every_level(string? setting)
    {
        await using var app = LocalHost.Build(setting is null ? Base : [.. Base, setting]);

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(LocalHost.RequestDiagnosticsCategory);
        Assert.False(logger.IsEnabled(LogLevel.Critical));
        // Its neighbours keep the settings' levels.
        Assert.True(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Error));
    }

    [Theory]
    [InlineData("--Logging:LogLevel:Microsoft.AspNetCore=Information")] // as docs/operations.md says
    [InlineData("--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information")]
    [InlineData("--Logging:LogLevel:Microsoft.AspNetCore.Hosting=Information")]
    [InlineData("--Logging:Console:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information")]
    public async Task A_setting_that_names_it_logs_requests_again(string setting)
    {
        await using var app = LocalHost.Build([.. Base, setting]);

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(LocalHost.RequestDiagnosticsCategory);
        Assert.True(logger.IsEnabled(LogLevel.Information));
    }
}
