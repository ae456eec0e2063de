using Azure.Core;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.AzureAdapters.ServiceBus;

/// <summary>Settings of the alert publisher (section "ServiceBus"): the namespace and topic, reached with the identity.</summary>
public sealed class ServiceBusAlertOptions
{
    public const string Section = "ServiceBus";

    /// <summary>e.g. sb-billing.servicebus.windows.net; empty: no Service Bus publisher.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    public string AlertsTopic { get; set; } = "alerts";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(FullyQualifiedNamespace);
}

public static class ServiceBusRegistration
{
    /// <summary>
    /// Publishes alerts to the Service Bus topic when section "ServiceBus" names a namespace (identity-based: the
    /// registered <see cref="TokenCredential"/>, else <see cref="DefaultAzureCredential"/>); otherwise changes nothing.
    /// </summary>
    public static IServiceCollection AddServiceBusAlertSink(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(ServiceBusAlertOptions.Section).Get<ServiceBusAlertOptions>() ?? new ServiceBusAlertOptions();
        if (!options.IsConfigured)
        {
            return services;
        }

        services.AddSingleton(sp => new ServiceBusClient(options.FullyQualifiedNamespace, sp.GetService<TokenCredential>() ?? new DefaultAzureCredential()));
        services.AddSingleton<IAlertSink>(sp => new ServiceBusAlertSink(sp.GetRequiredService<ServiceBusClient>().CreateSender(options.AlertsTopic)));
        return services;
    }
}
