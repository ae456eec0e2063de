using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessBilling.Api.Access;
using ServerlessBilling.Api.Http;

// In the namespace of the other registrations, so that a host needs no extra using for it.
namespace ServerlessBilling.Api;

/// <summary>Keys with roles, request size limits and the per-key rate limit, for a host that holds its own keys.</summary>
public static class AccessRegistration
{
    public static IServiceCollection AddServerlessBillingAccess(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>();
        services.AddOptions<LimitsOptions>().Bind(configuration.GetSection(LimitsOptions.Section)).ValidateOnStart();
        services.AddSingleton<ApiKeyRing>();
        services.AddHostedService<AccessReport>();

        services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<LimitsOptions>>((kestrel, limits) => kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes);
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<LimitsOptions>>((rate, limits) => ConfigureRateLimit(rate, limits.Value.RequestsPerSecondPerKey));
        return services;
    }

    /// <summary>The key check, then the rate limit (which needs the caller the check found). After routing and the error handler.</summary>
    public static IApplicationBuilder UseServerlessBillingAccess(this IApplicationBuilder app)
    {
        app.UseMiddleware<ApiKeyMiddleware>();
        app.UseRateLimiter();
        return app;
    }

    private static void ConfigureRateLimit(RateLimiterOptions rate, int? perSecond)
    {
        if (perSecond is not { } limit)
        {
            return; // no global limiter and no policy: the middleware passes every request through
        }

        rate.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        // One bucket's settings for every key, made once: the partitioner runs on every request, and a lambda there that
        // captured the limit would be a new delegate each time (it is only called for a key's first request).
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit,
            TokensPerPeriod = limit,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        Func<string, TokenBucketRateLimiterOptions> options = _ => bucket;
        rate.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            context.Features.Get<ApiCaller>() is { } caller
                ? RateLimitPartition.GetTokenBucketLimiter(caller.Id, options)
                : RateLimitPartition.GetNoLimiter(""));
        rate.OnRejected = (rejected, _) =>
        {
            var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                : Problems.RetryAfterSeconds;
            rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return new ValueTask(Problems.Problem(StatusCodes.Status429TooManyRequests, "Too many requests",
                $"this key may send {limit} requests per second; retry after {seconds} s").ExecuteAsync(rejected.HttpContext));
        };
    }
}
