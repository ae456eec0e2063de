using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// A page of a listing newest first (the quarantine, alerts): by a UTC-ticks column descending, ties by an id column
/// (SQLite's text order, its UTF-8 bytes), optionally one account's, continuing after a <see cref="ListCursor"/>.
/// </summary>
internal static class SqliteNewestFirst
{
    public static IReadOnlyList<T> List<T>(SqliteDatabase database, string table, string timeColumn, string idColumn, string? accountId, int limit, ListCursor? after) =>
        database.Read(session =>
        {
            var where = $"($after IS NULL OR {timeColumn} < $after OR ({timeColumn} = $after AND {idColumn} > $afterId))"
                + (accountId is null ? "" : " AND account_id = $account");
            using var reader = session.Command($"SELECT doc FROM {table} WHERE {where} ORDER BY {timeColumn} DESC, {idColumn} LIMIT $limit")
                .With("$account", accountId)
                .With("$after", after is null ? null : (object)SqliteValues.Ticks(after.At))
                .With("$afterId", after?.Id)
                .With("$limit", limit)
                .ExecuteReader();
            var entries = new List<T>();
            while (reader.Read())
            {
                entries.Add(SqliteValues.FromJson<T>(reader, 0));
            }

            return entries;
        });
}
