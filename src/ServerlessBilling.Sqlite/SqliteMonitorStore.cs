using System.Globalization;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>Monitoring's per-account documents with a version column as the ETag, as for accounts.</summary>
public sealed class SqliteMonitorStore(SqliteDatabase database) : IMonitorStore
{
    public Task<Versioned<MonitorState>?> GetAsync(string accountId, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(session =>
        {
            using var reader = session.Command("SELECT version, doc FROM monitors WHERE account_id = $id").With("$id", accountId).ExecuteReader();
            return reader.Read()
                ? new Versioned<MonitorState>(SqliteValues.FromJson<MonitorState>(reader, 1), reader.GetInt64(0).ToString(CultureInfo.InvariantCulture))
                : null;
        }));

    public Task<string?> TryCreateAsync(MonitorState state, CancellationToken cancellationToken)
    {
        var doc = SqliteValues.Json(state);
        return database.WriteAsync(session => session
            .Command("INSERT INTO monitors (account_id, version, doc) VALUES ($id, 1, $doc) ON CONFLICT DO NOTHING")
            .With("$id", state.AccountId).With("$doc", doc)
            .ExecuteNonQuery() == 1 ? "1" : null, cancellationToken);
    }

    public Task<string?> TryReplaceAsync(MonitorState state, string ifMatch, CancellationToken cancellationToken)
    {
        if (!long.TryParse(ifMatch, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return Task.FromResult<string?>(null);
        }

        var doc = SqliteValues.Json(state);
        return database.WriteAsync(session => session
            .Command("UPDATE monitors SET version = version + 1, doc = $doc WHERE account_id = $id AND version = $version")
            .With("$id", state.AccountId).With("$version", version).With("$doc", doc)
            .ExecuteNonQuery() == 1 ? checked(version + 1).ToString(CultureInfo.InvariantCulture) : null, cancellationToken);
    }
}
