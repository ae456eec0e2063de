using System.Text.Json;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>Rated usage, one document per CDR keyed by (account, CDR id): a second create of the same CDR is refused.</summary>
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
                found[reader.GetString(0)] = SqliteValues.FromJson<UsageRecord>(reader, 1);
            }

            return found;
        }));
    }

    /// <summary>At most this many ids are looked up as parameters of one prepared statement per count; more travel as one JSON array.</summary>
    private const int IdsAsParameters = 8;

    private static readonly string[] ExistingByIds = [.. Enumerable.Range(1, IdsAsParameters).Select(n =>
        "SELECT cdr_id, doc FROM usage WHERE account_id = $account AND cdr_id IN (" + string.Join(", ", Enumerable.Range(0, n).Select(i => "$id" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ")")];

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
            return session.Command("SELECT cdr_id, doc FROM usage WHERE account_id = $account AND cdr_id IN (SELECT value FROM json_each($ids))")
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

    private const string Insert = "INSERT INTO usage (account_id, cdr_id, start_time, doc) VALUES ($account, $cdr, $start, $doc) ON CONFLICT DO NOTHING";

    public Task<bool> TryCreateAsync(UsageRecord record, CancellationToken cancellationToken)
    {
        var doc = SqliteValues.Json(record);
        return database.WriteAsync(session => Create(session, record, doc), cancellationToken);
    }

    /// <summary>
    /// Many: every write waits for the commit of its group, and the writes of accounts in flight together share one.
    /// </summary>
    public int AccountsInParallel => 64;

    /// <summary>
    /// One write of the group commit, so the whole batch is in one transaction; serialized before it reaches the writer's
    /// thread, and inserted <see cref="RowsPerInsert"/> rows a statement (the cost of a statement's round trip through the
    /// driver is paid once for them), each statement naming the rows it created.
    /// </summary>
    public Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<bool>>([]);
        }

        var docs = records.Select(r => SqliteValues.Json(r)).ToArray();
        return database.WriteAsync<IReadOnlyList<bool>>(session =>
        {
            var created = new bool[records.Count];
            var inserted = new HashSet<(string, string)>();
            for (var from = 0; from < records.Count; from += RowsPerInsert)
            {
                var count = Math.Min(RowsPerInsert, records.Count - from);
                var command = session.Command(InsertRows[count - 1]);
                for (var i = 0; i < count; i++)
                {
                    var record = records[from + i];
                    command.With(RowNames[i].Account, record.AccountId).With(RowNames[i].Cdr, record.CdrId)
                        .With(RowNames[i].Start, SqliteValues.Ticks(record.StartTime)).With(RowNames[i].Doc, docs[from + i]);
                }

                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    inserted.Add((reader.GetString(0), reader.GetString(1)));
                }
            }

            // A row is created by its first copy in the batch only; a later copy (or one stored before) was not.
            for (var i = 0; i < records.Count; i++)
            {
                created[i] = inserted.Remove((records[i].AccountId, records[i].CdrId));
            }

            return created;
        }, cancellationToken);
    }

    /// <summary>Rows of one multi-row insert: 4 parameters each, far below SQLite's limit on a statement's parameters.</summary>
    private const int RowsPerInsert = 32;

    private static readonly (string Account, string Cdr, string Start, string Doc)[] RowNames = [.. Enumerable.Range(0, RowsPerInsert).Select(i =>
        (Account: "$a" + Number(i), Cdr: "$c" + Number(i), Start: "$s" + Number(i), Doc: "$d" + Number(i)))];

    /// <summary>The insert of 1 to <see cref="RowsPerInsert"/> rows, each prepared once per connection when first used.</summary>
    private static readonly string[] InsertRows = [.. Enumerable.Range(1, RowsPerInsert).Select(n =>
        "INSERT INTO usage (account_id, cdr_id, start_time, doc) VALUES "
        + string.Join(", ", RowNames.Take(n).Select(r => $"({r.Account}, {r.Cdr}, {r.Start}, {r.Doc})"))
        + " ON CONFLICT DO NOTHING RETURNING account_id, cdr_id")];

    private static string Number(int i) => i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static bool Create(SqliteSession session, UsageRecord record, byte[] doc) =>
        session.Command(Insert)
            .With("$account", record.AccountId).With("$cdr", record.CdrId).With("$start", SqliteValues.Ticks(record.StartTime)).With("$doc", doc)
            .ExecuteNonQuery() == 1;

    public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<UsageRecord>>(database.Read(session =>
        {
            using var reader = session.Command("""
                SELECT doc FROM usage WHERE account_id = $account AND start_time >= $from AND start_time < $to
                ORDER BY start_time, cdr_id LIMIT $limit
                """)
                .With("$account", accountId).With("$from", SqliteValues.Ticks(from)).With("$to", SqliteValues.Ticks(to)).With("$limit", limit)
                .ExecuteReader();
            var records = new List<UsageRecord>();
            while (reader.Read())
            {
                records.Add(SqliteValues.FromJson<UsageRecord>(reader, 0));
            }

            return records;
        }));
}
