using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ServerlessBilling.Api.Access;

/// <summary>Says at start how the host is protected: which keys (by count), or loopback only; and the rate limit.</summary>
public sealed partial class AccessReport(ApiKeyRing keys, IOptions<LimitsOptions> limits, ILogger<AccessReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (keys.HasKeys)
        {
            LogKeys(logger, keys.Count(ApiRole.Switch), keys.Count(ApiRole.Admin));
        }
        else
        {
            LogLoopbackOnly(logger);
        }

        if (limits.Value.RequestsPerSecondPerKey is { } perSecond)
        {
            LogRateLimit(logger, perSecond);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "API keys: {SwitchKeys} switch key(s), {AdminKeys} admin key(s); routes need a key of their role")]
    private static partial void LogKeys(ILogger logger, int switchKeys, int adminKeys);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No API keys are configured (Auth:SwitchKeys, Auth:AdminKeys): serving loopback callers only, each with every role")]
    private static partial void LogLoopbackOnly(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rate limit: {PerSecond} requests per second per key")]
    private static partial void LogRateLimit(ILogger logger, int perSecond);
}
