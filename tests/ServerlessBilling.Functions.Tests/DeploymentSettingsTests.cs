using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ServerlessBilling.Cosmos;
using ServerlessBilling.Functions.Hosting;
using ServerlessBilling.Functions.Http;

namespace ServerlessBilling.Functions.Tests;

/// <summary>What the deployment sets agrees with what the code reads: app settings, containers, start-up checks.</summary>
public sealed partial class DeploymentSettingsTests
{
    [Fact]
    public void The_function_app_module_sets_every_trigger_setting_and_identity_based_connection()
    {
        var bicep = File.ReadAllText(Path.Combine(Repository.Root, "bicep", "modules", "functionapp.bicep"));
        var settings = AppSettingName().Matches(bicep).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Contains(TriggerSettings.CdrEventHub, settings);
        Assert.Contains(TriggerSettings.CdrConsumerGroup, settings);
        Assert.Contains(TriggerSettings.CosmosDatabase, settings);
        Assert.Contains(TriggerSettings.LeasesContainer, settings);
        foreach (var connection in (string[])["AzureWebJobsStorage", TriggerSettings.EventHubConnection, TriggerSettings.CosmosConnection])
        {
            Assert.Contains($"{connection}__credential", settings);
            Assert.Contains($"{connection}__clientId", settings);
            Assert.DoesNotContain(connection, settings); // a bare name would be a connection string, i.e. a key
        }

        Assert.Contains($"{TriggerSettings.EventHubConnection}__fullyQualifiedNamespace", settings);
        Assert.Contains($"{TriggerSettings.CosmosConnection}__accountEndpoint", settings);
        Assert.Contains($"{CosmosOptions.Section}__{nameof(CosmosOptions.Endpoint)}", settings);
        Assert.DoesNotContain($"{CosmosOptions.Section}__{nameof(CosmosOptions.Key)}", settings);
    }

    [Fact]
    public void The_cosmos_module_creates_every_container_of_the_stores_with_its_partition_key()
    {
        var bicep = File.ReadAllText(Path.Combine(Repository.Root, "bicep", "modules", "cosmos.bicep"));
        var declared = ContainerDeclaration().Matches(bicep).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var options = new CosmosOptions();
        var expected = new Dictionary<string, string>
        {
            [options.AccountsContainer] = "/accountId",
            [options.SessionsContainer] = "/id",
            [options.RateDecksContainer] = "/deckId",
            [options.UsageContainer] = "/accountId",
            [options.QuarantineContainer] = "/accountId",
            [options.TopUpsContainer] = "/accountId",
            [options.LeasesContainer] = "/id",
            [options.MonitorsContainer] = "/accountId",
            [options.AlertsContainer] = "/accountId",
            [options.InvoicesContainer] = "/accountId",
            [options.CountersContainer] = "/id",
        };
        Assert.Equal(expected.OrderBy(p => p.Key), declared.OrderBy(p => p.Key));
        Assert.Contains($"ttl: sessionTimeToLiveSeconds", bicep, StringComparison.Ordinal);
        Assert.Contains($"param sessionTimeToLiveSeconds int = {options.SessionTimeToLiveSeconds}", bicep, StringComparison.Ordinal);
        Assert.Contains($"param databaseName string = '{options.Database}'", bicep, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sessions_time_to_live_reaches_the_container_and_the_app_from_one_parameter()
    {
        // The app checks Cosmos:SessionTimeToLiveSeconds against its credit-control settings at start; set apart from the
        // container's TTL, that check would be about a value the container does not use.
        var main = File.ReadAllText(Path.Combine(Repository.Root, "bicep", "main.bicep"));
        var app = File.ReadAllText(Path.Combine(Repository.Root, "bicep", "modules", "functionapp.bicep"));
        Assert.Contains($"param cosmosSessionTimeToLiveSeconds int = {new CosmosOptions().SessionTimeToLiveSeconds}", main, StringComparison.Ordinal);
        Assert.Contains("sessionTimeToLiveSeconds: cosmosSessionTimeToLiveSeconds", main, StringComparison.Ordinal);
        Assert.Contains("cosmosSessionTimeToLiveSeconds: cosmosSessionTimeToLiveSeconds", main, StringComparison.Ordinal);
        Assert.Contains(
            $"{{ name: '{CosmosOptions.Section}__{nameof(CosmosOptions.SessionTimeToLiveSeconds)}', value: string(cosmosSessionTimeToLiveSeconds) }}",
            app, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_worker_refuses_to_start_without_its_trigger_settings_and_names_them()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddServerlessBillingFunctions(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(TriggerSettings.CdrEventHub, error.Message, StringComparison.Ordinal);
        Assert.Contains($"{TriggerSettings.EventHubConnection}__fullyQualifiedNamespace", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_worker_starts_with_its_trigger_settings()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(FunctionsApp.TriggerSettingValues);
        builder.Services.AddServerlessBillingFunctions(builder.Configuration);
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public async Task An_exception_of_a_function_without_http_propagates_so_that_the_host_retries()
    {
        await using var app = new FunctionsApp(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(HttpParityTests.Now));
        var context = new TestFunctionContext(app.Services, http: null);
        var fault = new InvalidOperationException("store down");

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => app.Create<ProblemMiddleware>().Invoke(context, _ => throw fault));
        Assert.Same(fault, thrown);
    }

    [GeneratedRegex(@"\{ name: '([A-Za-z0-9_]+)', value:")]
    private static partial Regex AppSettingName();

    [GeneratedRegex(@"\{ name: '([a-z]+)', partitionKey: '([^']+)'")]
    private static partial Regex ContainerDeclaration();
}
