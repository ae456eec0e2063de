using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>Rejected CDRs by their deterministic id: the same rejection delivered again is kept once.</summary>
public sealed class SqliteQuarantineStore(SqliteDatabase database) : IQuarantineStore
{
    public Task AddAsync(QuarantineRecord record, CancellationToken cancellationToken)
    {
        var doc = SqliteValues.Json(record);
        return database.WriteAsync(session => Insert(session, record, doc), cancellationToken);
    }

    /// <summary>One write of the group commit, so the records are in one transaction; serialized before they reach the writer's thread.</summary>
    public Task AddManyAsync(IReadOnlyList<QuarantineRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return Task.CompletedTask;
        }

        var docs = records.Select(r => SqliteValues.Json(r)).ToArray();
        return database.WriteAsync(session =>
        {
            for (var i = 0; i < records.Count; i++)
            {
                Insert(session, records[i], docs[i]);
            }

            return records.Count;
        }, cancellationToken);
    }

    private static int Insert(SqliteSession session, QuarantineRecord record, byte[] doc) =>
        session
            .Command("INSERT INTO quarantine (quarantine_id, account_id, received_at, doc) VALUES ($id, $account, $at, $doc) ON CONFLICT DO NOTHING")
            .With("$id", record.QuarantineId).With("$account", record.AccountId).With("$at", SqliteValues.Ticks(record.ReceivedAt)).With("$doc", doc)
            .ExecuteNonQuery();

    public Task<IReadOnlyList<QuarantineRecord>> ListAsync(string? accountId, int limit, CancellationToken cancellationToken) =>
        ListAsync(accountId, limit, after: null, cancellationToken);

    public Task<IReadOnlyList<QuarantineRecord>> ListAsync(string? accountId, int limit, ListCursor? after, CancellationToken cancellationToken) =>
        Task.FromResult(SqliteTimeOrder.NewestFirst<QuarantineRecord>(database, "quarantine", "received_at", "quarantine_id", accountId, limit, after));
}
