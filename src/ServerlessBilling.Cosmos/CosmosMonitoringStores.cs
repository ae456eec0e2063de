using System.Net;
using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos;

internal sealed record AlertDocument([property: JsonPropertyName("id")] string Id, string AccountId, long RaisedMs, Alert Alert);

internal sealed record MonitorDocument([property: JsonPropertyName("id")] string Id, string AccountId, MonitorState State);

/// <summary>Alerts, partition /accountId, id = the alert's deterministic id: created once (409 = raised before).</summary>
public sealed class CosmosAlertStore(Container container) : IAlertStore
{
    /// <summary>How a 503 names this store when it fails.</summary>
    private const string Store = "alert store";

    public Task<bool> TryCreateAsync(Alert alert, CancellationToken cancellationToken) =>
        CosmosItems.TryCreateAsync(Store, container, new AlertDocument(alert.AlertId, alert.AccountId, alert.RaisedAt.ToUnixTimeMilliseconds(), alert), alert.AccountId, "create alert", cancellationToken);

    public async Task<Alert?> FindAsync(string accountId, string alertId, CancellationToken cancellationToken) =>
        (await CosmosItems.TryReadAsync<AlertDocument>(Store, container, alertId, accountId, "read alert", cancellationToken))?.Resource.Alert;

    public Task<IReadOnlyList<Alert>> ListAsync(string? accountId, int limit, CancellationToken cancellationToken) =>
        ListAsync(accountId, limit, after: null, cancellationToken);

    public async Task<IReadOnlyList<Alert>> ListAsync(string? accountId, int limit, ListCursor? after, CancellationToken cancellationToken) =>
        (await CosmosTimeOrder.PageAsync<AlertDocument>(
            Store, container, "raisedMs", d => d.RaisedMs, d => ListCursor.After(d.Alert), accountId, within: null, ListOrder.NewestFirst, after, limit, "list alerts", cancellationToken))
            .ConvertAll(d => d.Alert);
}

/// <summary>Monitor documents, partition /accountId, id = account id; replaced only If-Match.</summary>
public sealed class CosmosMonitorStore(Container container) : IMonitorStore
{
    /// <summary>How a 503 names this store when it fails.</summary>
    private const string Store = "monitor store";

    private static readonly ItemRequestOptions NoContent = new() { EnableContentResponseOnWrite = false };

    public async Task<Versioned<MonitorState>?> GetAsync(string accountId, CancellationToken cancellationToken) =>
        await CosmosItems.TryReadAsync<MonitorDocument>(Store, container, accountId, accountId, "read monitor", cancellationToken) is { } response
            ? new Versioned<MonitorState>(response.Resource.State, response.ETag)
            : null;

    public Task<string?> TryCreateAsync(MonitorState state, CancellationToken cancellationToken) =>
        CosmosFaults.RunAsync(Store, "create monitor", async () =>
        {
            try
            {
                return (await container.CreateItemAsync(new MonitorDocument(state.AccountId, state.AccountId, state), new PartitionKey(state.AccountId), NoContent, cancellationToken)).ETag;
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
            {
                return null;
            }
        }, cancellationToken);

    public Task<string?> TryReplaceAsync(MonitorState state, string ifMatch, CancellationToken cancellationToken) =>
        CosmosFaults.RunAsync(Store, "replace monitor", async () =>
        {
            try
            {
                var options = new ItemRequestOptions { IfMatchEtag = ifMatch, EnableContentResponseOnWrite = false };
                return (await container.ReplaceItemAsync(new MonitorDocument(state.AccountId, state.AccountId, state), state.AccountId, new PartitionKey(state.AccountId), options, cancellationToken)).ETag;
            }
            catch (CosmosException ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed || CosmosFaults.IsMissingItem(ex))
            {
                return null;
            }
        }, cancellationToken);
}
