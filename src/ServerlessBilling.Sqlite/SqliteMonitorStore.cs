using System.Globalization;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// Monitoring's per-account documents with a version column as the ETag, as for accounts. Monitoring reads an
/// account's document before every conditional write of it (once per changed account and batch of the change
/// stream); the versions this process committed or read are answered from memory (<see cref="SqliteKnownVersions{T}"/>),
/// and the writes run as prepared statements, so that a judgment costs the file one write, not a read, a JSON parse
/// and a write.
/// </summary>
public sealed class SqliteMonitorStore(SqliteDatabase database) : IMonitorStore
{
    private const string Insert = "INSERT INTO monitors (account_id, version, doc) VALUES (?1, 1, ?2) ON CONFLICT DO NOTHING";
    private const string Update = "UPDATE monitors SET version = version + 1, doc = ?2 WHERE account_id = ?1 AND version = ?3";
    private readonly SqliteKnownVersions<MonitorState> _known = database.KnownMonitors;

    public Task<Versioned<MonitorState>?> GetAsync(string accountId, CancellationToken cancellationToken)
    {
        if (_known.Find(accountId) is { } known)
        {
            return Task.FromResult<Versioned<MonitorState>?>(new Versioned<MonitorState>(known.Value, Tag(known.Version)));
        }

        var marker = _known.ReadMarker;
        var read = database.Read(session =>
        {
            using var reader = session.Command("SELECT version, doc FROM monitors WHERE account_id = $id").With("$id", accountId).ExecuteReader();
            return reader.Read() ? (SqliteValues.FromJson<MonitorState>(reader, 1), reader.GetInt64(0)) : default((MonitorState, long)?);
        });
        if (read is not { } found)
        {
            return Task.FromResult<Versioned<MonitorState>?>(null);
        }

        _known.RememberRead(accountId, found.Item1, found.Item2, marker);
        return Task.FromResult<Versioned<MonitorState>?>(new Versioned<MonitorState>(found.Item1, Tag(found.Item2)));
    }

    public Task<string?> TryCreateAsync(MonitorState state, CancellationToken cancellationToken)
    {
        var doc = SqliteValues.Json(state);
        return WriteAsync(state, 1, session => session.Statement(Insert).Bind(1, state.AccountId).Bind(2, doc).Run() == 1, cancellationToken);
    }

    public Task<string?> TryReplaceAsync(MonitorState state, string ifMatch, CancellationToken cancellationToken)
    {
        if (!long.TryParse(ifMatch, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return Task.FromResult<string?>(null);
        }

        var doc = SqliteValues.Json(state);
        return WriteAsync(state, checked(version + 1), session => session.Statement(Update).Bind(1, state.AccountId).Bind(2, doc).Bind(3, version).Run() == 1, cancellationToken);
    }

    /// <summary>The conditional write; what it wrote becomes the known version on the writer's thread right after its commit, and a refused one forgets what was known.</summary>
    private async Task<string?> WriteAsync(MonitorState state, long version, Func<SqliteSession, bool> write, CancellationToken cancellationToken)
    {
        var written = await database.WriteAsync(write, done =>
        {
            if (done)
            {
                _known.Committed(state.AccountId, state, version);
            }
        }, cancellationToken);
        if (!written)
        {
            _known.Forget(state.AccountId);
            return null;
        }

        return Tag(version);
    }

    private static string Tag(long version) => version.ToString(CultureInfo.InvariantCulture);
}
