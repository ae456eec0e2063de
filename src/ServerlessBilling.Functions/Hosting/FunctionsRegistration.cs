using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessBilling.AzureAdapters.EventHubs;
using ServerlessBilling.Functions.Http;

namespace ServerlessBilling.Functions.Hosting;

/// <summary>What the Functions app adds to the shared layers: the trigger adapters, the credential and telemetry.</summary>
public static class FunctionsRegistration
{
    public const string ApplicationInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string ManagedIdentityClientId = "AZURE_CLIENT_ID";

    public static IServiceCollection AddServerlessBillingFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TriggerSettingsCheck>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<TriggerSettingsCheck>>(new TriggerSettingsValidator(configuration));

        // One credential for every SDK client of the worker: the user-assigned identity in Azure, developer sign-in locally.
        services.AddSingleton<TokenCredential>(new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = configuration[ManagedIdentityClientId],
        }));
        services.AddSingleton<ApiRouteInvoker>();
        services.AddSingleton<CdrEventBatchHandler>();

        var telemetry = services.AddOpenTelemetry().UseFunctionsWorkerDefaults();
        if (!string.IsNullOrWhiteSpace(configuration[ApplicationInsightsConnectionString]))
        {
            telemetry.UseAzureMonitorExporter();
            services.AddOptions<AzureMonitorExporterOptions>()
                .Configure<TokenCredential>((o, credential) => o.Credential = credential);
        }

        return services;
    }

    /// <summary>A marker for start-up validation of <see cref="TriggerSettings"/>, which are plain app settings.</summary>
    public sealed class TriggerSettingsCheck;

    private sealed class TriggerSettingsValidator(IConfiguration configuration) : IValidateOptions<TriggerSettingsCheck>
    {
        public ValidateOptionsResult Validate(string? name, TriggerSettingsCheck options) =>
            TriggerSettings.Validate(configuration) is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
    }
}
