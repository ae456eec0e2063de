using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>Top-up history keyed by (account, top-up id): an id recorded once is recognised for ever.</summary>
public sealed class SqliteTopUpStore(SqliteDatabase database) : ITopUpStore
{
    public Task<TopUpRecord?> FindAsync(string accountId, string topUpId, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(session =>
        {
            using var reader = session.Command("SELECT doc FROM top_ups WHERE account_id = $account AND top_up_id = $id")
                .With("$account", accountId).With("$id", topUpId).ExecuteReader();
            return reader.Read() ? SqliteValues.FromJson<TopUpRecord>(reader, 0) : null;
        }));

    public Task<bool> TryCreateAsync(TopUpRecord record, CancellationToken cancellationToken)
    {
        var doc = SqliteValues.Json(record);
        return database.WriteAsync(session => session
            .Command("INSERT INTO top_ups (account_id, top_up_id, doc) VALUES ($account, $id, $doc) ON CONFLICT DO NOTHING")
            .With("$account", record.AccountId).With("$id", record.TopUpId).With("$doc", doc)
            .ExecuteNonQuery() == 1, cancellationToken);
    }
}
