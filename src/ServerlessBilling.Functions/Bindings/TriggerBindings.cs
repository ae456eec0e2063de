// Stand-ins for the trigger attributes of Microsoft.Azure.Functions.Worker.Extensions.EventHubs and .CosmosDB,
// which this machine's NuGet feed does not serve. Only the default build compiles this file; the deployable build
// (-p:UseOfficialTriggerExtensions=true) removes it and references the official packages.
//
// They keep the official names, namespace and properties (property for property, same defaults) so that the
// functions compile unchanged against either, and the worker SDK emits the same functions.metadata: it reads any
// attribute deriving from TriggerBindingAttribute, names the binding after the class (eventHubTrigger,
// cosmosDBTrigger) and camel-cases the properties. IsBatched keeps the official [DefaultValue(true)] and the
// trigger sets it explicitly: left unset, the SDK's generator fails (CS8785). There is deliberately no [assembly: ExtensionInformation(...)] here: it would make the
// build restore the unserved WebJobs extensions. What the default build lacks is the runtime part only (the
// host-side extension and the EventData converter), so it is for tests and CI, not for deployment.
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker;

/// <summary>The Event Hubs trigger (contract of Microsoft.Azure.Functions.Worker.Extensions.EventHubs 6.x).</summary>
[BindingCapabilities(KnownBindingCapabilities.FunctionLevelRetry)]
public sealed class EventHubTriggerAttribute(string eventHubName) : TriggerBindingAttribute, ISupportCardinality
{
    /// <summary>The hub; a %setting% name is resolved by the host.</summary>
    public string EventHubName { get; } = eventHubName;

    /// <summary>The consumer group; "$Default" when missing.</summary>
    public string? ConsumerGroup { get; set; }

    /// <summary>Prefix of the connection settings (identity-based: &lt;Connection&gt;__fullyQualifiedNamespace).</summary>
    public string? Connection { get; set; }

    /// <summary>Deliver events in batches (cardinality many); the official default.</summary>
    [DefaultValue(true)]
    public bool IsBatched { get; set; } = true;

    Cardinality ISupportCardinality.Cardinality
    {
        get => IsBatched ? Cardinality.Many : Cardinality.One;
        set => IsBatched = value == Cardinality.Many;
    }
}

/// <summary>The Cosmos DB change-feed trigger (contract of Microsoft.Azure.Functions.Worker.Extensions.CosmosDB 4.x).</summary>
[BindingCapabilities(KnownBindingCapabilities.FunctionLevelRetry)]
public sealed class CosmosDBTriggerAttribute : TriggerBindingAttribute
{
    public CosmosDBTriggerAttribute(string databaseName, string containerName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseName);
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        DatabaseName = databaseName;
        ContainerName = containerName;
    }

    public string ContainerName { get; }

    public string DatabaseName { get; }

    /// <summary>Prefix of the connection settings (identity-based: &lt;Connection&gt;__accountEndpoint).</summary>
    public string? Connection { get; set; }

    /// <summary>The lease container; "leases" when missing.</summary>
    public string? LeaseContainerName { get; set; }

    public string? LeaseDatabaseName { get; set; }

    public string? LeaseConnection { get; set; }

    public bool CreateLeaseContainerIfNotExists { get; set; }

    public int LeasesContainerThroughput { get; set; }

    public string? LeaseContainerPrefix { get; set; }

    public int FeedPollDelay { get; set; }

    public int LeaseRenewInterval { get; set; }

    public int LeaseAcquireInterval { get; set; }

    public int LeaseExpirationInterval { get; set; }

    public int MaxItemsPerInvocation { get; set; }

    public bool StartFromBeginning { get; set; }

    public string? StartFromTime { get; set; }

    public string? PreferredLocations { get; set; }

    public CosmosDBChangeFeedMode ChangeFeedMode { get; set; } = CosmosDBChangeFeedMode.LatestVersion;
}

/// <summary>Which changes the Cosmos DB trigger delivers.</summary>
public enum CosmosDBChangeFeedMode
{
    LatestVersion = 0,
    AllVersionsAndDeletes = 1,
}
