using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ServerlessBilling.Local.Hosting;

/// <summary>
/// <c>/healthz</c>: the process serves requests (no check runs). <c>/readyz</c>: the store answers a read.
/// Both unauthenticated, plain text: Healthy, Degraded or Unhealthy, with 200 or 503.
/// </summary>
public static class LocalHealth
{
    public const string LivePath = "/healthz";

    public const string ReadyPath = "/readyz";

    private const string ReadyTag = "ready";

    public static IServiceCollection AddLocalHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapLocalHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false });
        routes.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        return routes;
    }
}

/// <summary>Ready when the store answers one read within <see cref="Timeout"/>.</summary>
public sealed class StoreHealthCheck(IServiceProvider services) : IHealthCheck
{
    /// <summary>Shorter than a load balancer's probe interval, long enough for a store under load.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await StoreProbe.ProbeAsync(services, Timeout, cancellationToken);
            return HealthCheckResult.Healthy("the store answers");
        }
        catch (TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"the store did not answer within {Timeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("the store faulted", e);
        }
    }
}
