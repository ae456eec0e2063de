using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>Raised alerts by their deterministic id: created once, never changed.</summary>
public sealed class SqliteAlertStore(SqliteDatabase database) : IAlertStore
{
    public Task<bool> TryCreateAsync(Alert alert, CancellationToken cancellationToken)
    {
        var doc = SqliteValues.Json(alert);
        return database.WriteAsync(session => session
            .Command("INSERT INTO alerts (alert_id, account_id, raised_at, doc) VALUES ($id, $account, $at, $doc) ON CONFLICT DO NOTHING")
            .With("$id", alert.AlertId).With("$account", alert.AccountId).With("$at", SqliteValues.Ticks(alert.RaisedAt)).With("$doc", doc)
            .ExecuteNonQuery() == 1, cancellationToken);
    }

    public Task<Alert?> FindAsync(string accountId, string alertId, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(session =>
        {
            using var reader = session.Command("SELECT doc FROM alerts WHERE alert_id = $id AND account_id = $account")
                .With("$id", alertId).With("$account", accountId).ExecuteReader();
            return reader.Read() ? SqliteValues.FromJson<Alert>(reader, 0) : null;
        }));

    public Task<IReadOnlyList<Alert>> ListAsync(string? accountId, int limit, CancellationToken cancellationToken) =>
        ListAsync(accountId, limit, after: null, cancellationToken);

    public Task<IReadOnlyList<Alert>> ListAsync(string? accountId, int limit, ListCursor? after, CancellationToken cancellationToken) =>
        Task.FromResult(SqliteTimeOrder.NewestFirst<Alert>(database, "alerts", "raised_at", "alert_id", accountId, limit, after));
}
