using System.Text.Json;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// Rated usage, one row per CDR with (account, CDR id) unique: a second create of the same CDR is refused. Its values are a
/// compact array (<see cref="SqliteUsageRows"/>) since schema 7; rows written before hold the record's JSON object. Since
/// schema 8 the rows are appended in the order written (a rowid table), found by the unique index on the key or by the
/// by-start index (<see cref="SqliteSchema"/>).
/// </summary>
public sealed class SqliteUsageStore(SqliteDatabase database) : IUsageStore
{
    public Task<IReadOnlyDictionary<string, UsageRecord>> FindExistingAsync(string accountId, IReadOnlyCollection<string> cdrIds, CancellationToken cancellationToken)
    {
        if (cdrIds.Count == 0)
        {
            return Task.FromResult<IReadOnlyDictionary<string, UsageRecord>>(new Dictionary<string, UsageRecord>(StringComparer.Ordinal));
        }

        return Task.FromResult<IReadOnlyDictionary<string, UsageRecord>>(database.Read(session =>
        {
            using var reader = Existing(session, accountId, cdrIds).ExecuteReader();
            var found = new Dictionary<string, UsageRecord>(StringComparer.Ordinal);
            while (reader.Read())
            {
                var cdrId = reader.GetString(0);
                found[cdrId] = SqliteUsageRows.Read(accountId, cdrId, reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));
            }

            return found;
        }));
    }

    public Task<IReadOnlyList<string>> FindUnrecordedAsync(string accountId, IReadOnlyCollection<string> cdrIds, CancellationToken cancellationToken)
    {
        if (cdrIds.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }

        var found = database.Read(session =>
        {
            // The look-up of FindExistingAsync, its ids only: no record is decoded.
            using var reader = Existing(session, accountId, cdrIds).ExecuteReader();
            var found = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read())
            {
                found.Add(reader.GetString(0));
            }

            return found;
        });
        return Task.FromResult<IReadOnlyList<string>>(found.Count == cdrIds.Count ? [] : cdrIds.Where(id => !found.Contains(id)).ToList());
    }

    /// <summary>At most this many ids are looked up as parameters of one prepared statement per count; more travel as one JSON array.</summary>
    private const int IdsAsParameters = 8;

    private static readonly string[] ExistingByIds = [.. Enumerable.Range(1, IdsAsParameters).Select(n =>
        "SELECT cdr_id, start_time, doc FROM usage WHERE account_id = $account AND cdr_id IN (" + string.Join(", ", Enumerable.Range(0, n).Select(i => "$id" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ")")];

    private static readonly string[] IdNames = [.. Enumerable.Range(0, IdsAsParameters).Select(i => "$id" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>
    /// One statement whatever the batch size. A few ids (an account's share of a batch spread over many accounts is
    /// one or two) are parameters, each a primary-key look-up; more travel as one JSON array (json_each), whose
    /// serializing and parsing costs more than the look-ups for a few.
    /// </summary>
    private static Microsoft.Data.Sqlite.SqliteCommand Existing(SqliteSession session, string accountId, IReadOnlyCollection<string> cdrIds)
    {
        if (cdrIds.Count > IdsAsParameters)
        {
            return session.Command("SELECT cdr_id, start_time, doc FROM usage WHERE account_id = $account AND cdr_id IN (SELECT value FROM json_each($ids))")
                .With("$account", accountId).With("$ids", JsonSerializer.Serialize(cdrIds));
        }

        var command = session.Command(ExistingByIds[cdrIds.Count - 1]).With("$account", accountId);
        var i = 0;
        foreach (var id in cdrIds)
        {
            command.With(IdNames[i++], id);
        }

        return command;
    }

    public Task<bool> TryCreateAsync(UsageRecord record, CancellationToken cancellationToken)
    {
        var doc = SqliteUsageRows.Write(record);
        return database.WriteAsync(session => Create(session, record, doc), cancellationToken);
    }

    /// <summary>
    /// Many: every write waits for the commit of its group, and the writes of accounts in flight together share one.
    /// </summary>
    public int AccountsInParallel => 64;

    /// <summary>A CDR batch's usage in one write: one transaction, one statement run row after row in key order.</summary>
    public bool RecordsWholeBatches => true;

    /// <summary>
    /// Rows are inserted in key order (account, CDR id), so the indexes are walked forward and an account's entries land on
    /// their pages together, by one prepared statement run once a row straight through SQLite (its changed-row count says whether
    /// the row was created: no RETURNING to read back, no parameter names to look up). The documents are serialized and the
    /// rows ordered before the writer's thread gets them. Up to <see cref="RowsPerWrite"/> rows are one write of the group
    /// commit (a CDR batch of the API's usual size is one transaction); more are cut into writes of that many, so that one
    /// huge batch does not hold the writer from every other write until it is done.
    /// </summary>
    public async Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var created = new bool[records.Count];
        if (records.Count == 0)
        {
            return created;
        }

        var order = KeyOrder(records);
        var docs = new byte[records.Count][];
        for (var i = 0; i < docs.Length; i++)
        {
            docs[i] = SqliteUsageRows.Write(records[i] ?? throw new ArgumentException("a null record", nameof(records)));
        }

        if (order.Length <= RowsPerWrite)
        {
            await database.WriteAsync(session => InsertRows(session, records, docs, order, created), cancellationToken);
            return created;
        }

        var writes = new List<Task<bool[]>>();
        for (var from = 0; from < order.Length; from += RowsPerWrite)
        {
            var part = order.AsMemory(from, Math.Min(RowsPerWrite, order.Length - from));
            writes.Add(database.WriteAsync(session => InsertRows(session, records, docs, part.Span, created), cancellationToken));
        }

        await Task.WhenAll(writes);
        return created;
    }

    /// <summary>Rows of one write of <see cref="TryCreateManyAsync"/> at most.</summary>
    internal const int RowsPerWrite = 8192;

    private const string InsertRow = "INSERT INTO usage (account_id, cdr_id, start_time, doc) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING";

    /// <summary>
    /// Inserts the rows at <paramref name="order"/>, each marked in <paramref name="created"/> (every mark set again when the
    /// writer runs the write again in a new transaction). A row is created by its first copy only: copies sort after it.
    /// </summary>
    private static bool[] InsertRows(SqliteSession session, IReadOnlyList<UsageRecord> records, byte[][] docs, ReadOnlySpan<int> order, bool[] created)
    {
        foreach (var i in order)
        {
            created[i] = Create(session, records[i], docs[i]);
        }

        return created;
    }

    /// <summary>The records' indexes by (account, CDR id) in ordinal order, copies of one key in batch order.</summary>
    private static int[] KeyOrder(IReadOnlyList<UsageRecord> records)
    {
        var order = new int[records.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) =>
        {
            var (x, y) = (records[a], records[b]);
            var byAccount = string.CompareOrdinal(x.AccountId, y.AccountId);
            if (byAccount != 0)
            {
                return byAccount;
            }

            var byCdr = string.CompareOrdinal(x.CdrId, y.CdrId);
            return byCdr != 0 ? byCdr : a.CompareTo(b);
        });
        return order;
    }

    private static bool Create(SqliteSession session, UsageRecord record, byte[] doc) =>
        session.Statement(InsertRow).Bind(1, record.AccountId).Bind(2, record.CdrId).Bind(3, SqliteValues.Ticks(record.StartTime)).Bind(4, doc).Run() == 1;

    public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        ListAsync(accountId, from, to, limit, ListOrder.OldestFirst, after: null, cancellationToken);

    /// <summary>By the index <c>usage_by_start</c> (account, start time, CDR id), forwards or backwards.</summary>
    public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, ListOrder order, ListCursor? after, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<UsageRecord>>(database.Read(session => SqliteTimeOrder.List(
            session, "cdr_id, start_time, doc", "usage", "start_time", "cdr_id", accountId, (from, to), order, limit, after,
            reader => SqliteUsageRows.Read(accountId, reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2)))));
}
