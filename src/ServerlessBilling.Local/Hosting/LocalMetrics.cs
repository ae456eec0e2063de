using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using ServerlessBilling.Api;
using ServerlessBilling.Api.Access;
using ServerlessBilling.Core.Diagnostics;

namespace ServerlessBilling.Local.Hosting;

/// <summary>Settings of the metrics export (section "Metrics").</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Serve the Prometheus scrape endpoint at <see cref="LocalMetrics.ScrapePath"/>.</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>Also push metrics over OTLP to this endpoint (e.g. http://127.0.0.1:4317); empty = no OTLP.</summary>
    public string? OtlpEndpoint { get; set; }
}

/// <summary>Exports the platform's meter (<see cref="BillingMetrics"/>) and ASP.NET Core's own request metrics.</summary>
public static class LocalMetrics
{
    public const string ScrapePath = "/metrics";

    public static IServiceCollection AddLocalMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        if (!options.Prometheus && string.IsNullOrWhiteSpace(options.OtlpEndpoint))
        {
            return services;
        }

        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint) && !Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out _))
        {
            throw new InvalidOperationException($"Metrics settings are invalid: Metrics:OtlpEndpoint '{options.OtlpEndpoint}' is not an absolute URL");
        }

        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(BillingMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel");
            if (options.Prometheus)
            {
                metrics.AddPrometheusExporter();
            }

            if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint))
            {
                metrics.AddOtlpExporter(otlp => otlp.Endpoint = new Uri(options.OtlpEndpoint));
            }
        });
        return services;
    }

    public static IEndpointRouteBuilder MapLocalMetrics(this IEndpointRouteBuilder routes)
    {
        var configuration = routes.ServiceProvider.GetRequiredService<IConfiguration>();
        if (configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>()?.Prometheus ?? true)
        {
            // Not among the routes the contract leaves open: with keys configured, an admin key (docs/api.md).
            routes.MapPrometheusScrapingEndpoint(ScrapePath).WithMetadata(new KeyedEndpoint("Metrics", ApiRole.Admin));
        }

        return routes;
    }
}
