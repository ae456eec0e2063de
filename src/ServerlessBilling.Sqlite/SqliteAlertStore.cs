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
        Task.FromResult<IReadOnlyList<Alert>>(database.Read(session =>
        {
            var command = accountId is null
                ? session.Command("SELECT doc FROM alerts ORDER BY raised_at DESC, alert_id LIMIT $limit")
                : session.Command("SELECT doc FROM alerts WHERE account_id = $account ORDER BY raised_at DESC, alert_id LIMIT $limit").With("$account", accountId);
            using var reader = command.With("$limit", limit).ExecuteReader();
            var alerts = new List<Alert>();
            while (reader.Read())
            {
                alerts.Add(SqliteValues.FromJson<Alert>(reader, 0));
            }

            return alerts;
        }));
}
