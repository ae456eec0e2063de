using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using ServerlessBilling.Api;
using ServerlessBilling.Functions.CreditControl;
using ServerlessBilling.Functions.Hosting;
using ServerlessBilling.Functions.Ingestion;
using ServerlessBilling.Functions.Invoicing;

namespace ServerlessBilling.Functions.Tests;

/// <summary>
/// The functions.metadata that the worker SDK writes at build (what the Functions host indexes) declares every
/// function with the right trigger, settings, cardinality and authorization.
/// </summary>
public sealed partial class FunctionsMetadataTests
{
    internal static readonly Lazy<Dictionary<string, JsonElement>> Functions = new(Load);

    [Fact]
    public void Every_route_of_the_table_is_an_http_function_with_its_method_route_and_the_key_level_of_its_role()
    {
        foreach (var route in ApiRoutes.All)
        {
            var trigger = Trigger(route.Name, "httpTrigger");
            Assert.Equal([route.Method], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
            Assert.Equal(route.Template, trigger.GetProperty("route").GetString());
            Assert.Equal(route.Role == ApiRole.Switch ? "Function" : "Admin", trigger.GetProperty("authLevel").GetString());
            Assert.Contains(Functions.Value[route.Name].GetProperty("bindings").EnumerateArray(),
                b => b.GetProperty("type").GetString() == "http" && b.GetProperty("direction").GetString() == "Out");
        }
    }

    [Fact]
    public void The_cdr_function_is_a_batched_event_hubs_trigger_with_hub_group_and_connection_from_settings()
    {
        var trigger = Trigger(CdrEventsFunction.Name, "eventHubTrigger");
        Assert.Equal($"%{TriggerSettings.CdrEventHub}%", trigger.GetProperty("eventHubName").GetString());
        Assert.Equal($"%{TriggerSettings.CdrConsumerGroup}%", trigger.GetProperty("consumerGroup").GetString());
        Assert.Equal(TriggerSettings.EventHubConnection, trigger.GetProperty("connection").GetString());
        Assert.Equal("Many", trigger.GetProperty("cardinality").GetString());
        Assert.False(trigger.TryGetProperty("isBatched", out _), "IsBatched becomes cardinality, as with the official attribute");
    }

    [Fact]
    public void The_cdr_function_retries_a_failed_batch_until_it_succeeds()
    {
        // Hostile round sixteen. A store fault fails the batch so that it is delivered again; but the host's retry policy
        // (host.json: 5 retries, about a minute in all) ends in "eventual failure", after which the Event Hubs trigger
        // writes its checkpoint and moves on: the CDRs of a batch that met a store outage longer than that minute were
        // never applied nor quarantined. Ingestion fails a batch only on a store fault (bad CDRs are quarantined), so
        // the batch is retried for as long as the store is away.
        var retry = Functions.Value[CdrEventsFunction.Name].GetProperty("retry");
        Assert.Equal("exponentialBackoff", retry.GetProperty("strategy").GetString());
        Assert.Equal(-1, retry.GetProperty("maxRetryCount").GetInt32());
    }

    [Fact]
    public void The_sweeper_is_a_timer_every_minute()
    {
        var trigger = Trigger(ReservationSweeperFunction.Name, "timerTrigger");
        Assert.Equal("0 * * * * *", trigger.GetProperty("schedule").GetString());
    }

    [Fact]
    public void The_app_declares_exactly_the_routes_the_cdr_trigger_and_the_sweeper_and_any_change_feed_trigger_names_its_settings()
    {
        Assert.Equal(
            ApiRoutes.All.Select(r => r.Name).Append(CdrEventsFunction.Name).Append(ReservationSweeperFunction.Name).Append(InvoiceRunFunction.Name).Order(),
            Functions.Value.Keys.Where(k => !IsChangeFeed(k)).Order());
        foreach (var name in Functions.Value.Keys.Where(IsChangeFeed))
        {
            var trigger = Trigger(name, "cosmosDBTrigger");
            Assert.Equal(TriggerSettings.CosmosConnection, trigger.GetProperty("connection").GetString());
            Assert.Equal($"%{TriggerSettings.CosmosDatabase}%", trigger.GetProperty("databaseName").GetString());
            Assert.Equal($"%{TriggerSettings.LeasesContainer}%", trigger.GetProperty("leaseContainerName").GetString());
            Assert.Equal($"%{TriggerSettings.AccountsContainer}%", trigger.GetProperty("containerName").GetString());
            // The change-feed trigger always delivers batches; like the official attribute, it declares no cardinality.
            Assert.False(trigger.TryGetProperty("cardinality", out var cardinality) && cardinality.GetString() != "Many");
            Assert.InRange(trigger.GetProperty("feedPollDelay").GetInt32(), 1, 999); // well under the 5 s default
        }
    }

    [Fact]
    public void Every_setting_a_trigger_names_is_in_the_local_settings_sample_and_validated_at_start()
    {
        var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "local.settings.sample.json")),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = false });
        var values = sample.RootElement.GetProperty("Values");
        var named = Functions.Value.Values
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray())
            .SelectMany(b => b.EnumerateObject())
            .Where(p => p.Value.ValueKind == JsonValueKind.String)
            .SelectMany(p => p.Name == "connection" ? [p.Value.GetString()!] : SettingReference().Matches(p.Value.GetString()!).Select(m => m.Groups[1].Value))
            .Distinct()
            .ToList();
        Assert.Contains(TriggerSettings.CdrEventHub, named);
        Assert.All(named, setting => Assert.True(values.TryGetProperty(setting, out _), $"{setting} is missing from local.settings.sample.json"));

        var sampleConfig = new ConfigurationBuilder()
            .AddInMemoryCollection(values.EnumerateObject().Select(p => KeyValuePair.Create(p.Name.Replace("__", ":", StringComparison.Ordinal), (string?)p.Value.GetString())))
            .Build();
        Assert.Empty(TriggerSettings.Validate(sampleConfig));
        var missing = TriggerSettings.Validate(new ConfigurationBuilder().Build());
        Assert.Equal(3, missing.Count);
        Assert.Contains(missing, e => e.Contains(TriggerSettings.CdrEventHub, StringComparison.Ordinal));
        Assert.Contains(missing, e => e.Contains(TriggerSettings.CdrConsumerGroup, StringComparison.Ordinal));
        Assert.Contains(missing, e => e.Contains($"{TriggerSettings.EventHubConnection}__fullyQualifiedNamespace", StringComparison.Ordinal));
    }

    private static bool IsChangeFeed(string function) =>
        Functions.Value[function].GetProperty("bindings").EnumerateArray().Any(b => b.GetProperty("type").GetString() == "cosmosDBTrigger");

    private static JsonElement Trigger(string function, string type)
    {
        Assert.True(Functions.Value.TryGetValue(function, out var metadata), $"functions.metadata has no function {function}");
        var trigger = Assert.Single(metadata.GetProperty("bindings").EnumerateArray(), b => b.GetProperty("direction").GetString() == "In");
        Assert.Equal(type, trigger.GetProperty("type").GetString());
        return trigger;
    }

    /// <summary>The file the Functions project's build wrote next to its assembly, in this test run's configuration.</summary>
    private static Dictionary<string, JsonElement> Load()
    {
        var configuration = typeof(FunctionsMetadataTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var path = Path.Combine(Repository.Root, "src", "ServerlessBilling.Functions", "bin", configuration, "net10.0", "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: build src/ServerlessBilling.Functions first");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.Clone());
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();
}
