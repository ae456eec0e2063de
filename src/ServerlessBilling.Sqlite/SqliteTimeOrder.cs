using Microsoft.Data.Sqlite;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// A page of a listing by a UTC-ticks column, oldest or newest first (<see cref="ListOrder"/>), ties by an id column
/// ascending either way (SQLite's text order, its UTF-8 bytes), optionally one account's and within a range of times,
/// continuing after a <see cref="ListCursor"/>: the one place the SQLite stores put their listings in order.
/// </summary>
internal static class SqliteTimeOrder
{
    /// <summary>Documents of a table's <c>doc</c> column, newest first (the quarantine, alerts), of every time.</summary>
    public static IReadOnlyList<T> NewestFirst<T>(SqliteDatabase database, string table, string timeColumn, string idColumn, string? accountId, int limit, ListCursor? after) =>
        database.Read(session => List(
            session, "doc", table, timeColumn, idColumn, accountId, within: null, ListOrder.NewestFirst, limit, after, reader => SqliteValues.FromJson<T>(reader, 0)));

    /// <summary>
    /// The rows of <paramref name="table"/> (its <paramref name="columns"/>, made entries by <paramref name="read"/>) with a
    /// time in [From, To) of <paramref name="within"/> (any time without it), in <paramref name="order"/>.
    /// </summary>
    public static List<T> List<T>(
        SqliteSession session, string columns, string table, string timeColumn, string idColumn, string? accountId, (DateTimeOffset From, DateTimeOffset To)? within,
        ListOrder order, int limit, ListCursor? after, Func<SqliteDataReader, T> read)
    {
        var (past, direction) = order == ListOrder.NewestFirst ? ("<", "DESC") : (">", "ASC");
        var where = $"($after IS NULL OR {timeColumn} {past} $after OR ({timeColumn} = $after AND {idColumn} > $afterId))"
            + (accountId is null ? "" : " AND account_id = $account")
            + (within is null ? "" : $" AND {timeColumn} >= $from AND {timeColumn} < $to");
        using var reader = session.Command($"SELECT {columns} FROM {table} WHERE {where} ORDER BY {timeColumn} {direction}, {idColumn} LIMIT $limit")
            .With("$account", accountId)
            .With("$from", within is { } f ? (object)SqliteValues.Ticks(f.From) : null)
            .With("$to", within is { } t ? (object)SqliteValues.Ticks(t.To) : null)
            .With("$after", after is null ? null : (object)SqliteValues.Ticks(after.At))
            .With("$afterId", after?.Id)
            .With("$limit", limit)
            .ExecuteReader();
        var entries = new List<T>();
        while (reader.Read())
        {
            entries.Add(read(reader));
        }

        return entries;
    }
}
