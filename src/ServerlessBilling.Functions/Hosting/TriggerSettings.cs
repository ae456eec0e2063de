using Microsoft.Extensions.Configuration;

namespace ServerlessBilling.Functions.Hosting;

/// <summary>
/// App settings that trigger attributes name (as %Setting%, or as a connection prefix). The host resolves them when it
/// indexes the functions; the worker checks them at start so that a missing one is named instead of failing later.
/// </summary>
public static class TriggerSettings
{
    public const string CdrEventHub = "CdrEventHubName";
    public const string CdrConsumerGroup = "CdrConsumerGroup";

    /// <summary>Identity-based: EventHubConnection__fullyQualifiedNamespace (+ __credential, __clientId).</summary>
    public const string EventHubConnection = "EventHubConnection";

    /// <summary>Identity-based: CosmosConnection__accountEndpoint (+ __credential, __clientId).</summary>
    public const string CosmosConnection = "CosmosConnection";
    public const string CosmosDatabase = "CosmosDatabaseName";
    public const string LeasesContainer = "CosmosLeasesContainerName";
    public const string AccountsContainer = "CosmosAccountsContainerName";

    /// <summary>The problems of <paramref name="configuration"/> for the triggers of this app; empty when it can start.</summary>
    public static IReadOnlyList<string> Validate(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new List<string>();
        foreach (var name in (string[])[CdrEventHub, CdrConsumerGroup])
        {
            if (string.IsNullOrWhiteSpace(configuration[name]))
            {
                errors.Add($"the app setting {name} is required");
            }
        }

        if (string.IsNullOrWhiteSpace(configuration[EventHubConnection])
            && string.IsNullOrWhiteSpace(configuration[$"{EventHubConnection}:fullyQualifiedNamespace"]))
        {
            errors.Add($"the app setting {EventHubConnection}__fullyQualifiedNamespace (or a {EventHubConnection} connection string) is required");
        }

        return errors;
    }
}
