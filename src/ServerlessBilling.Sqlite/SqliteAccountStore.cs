using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// Account documents with a version column as the ETag: a replace names the version it read and succeeds only if
/// it is still current, exactly as If-Match does on Cosmos DB. Writes go through the group-committing writer.
/// </summary>
public sealed class SqliteAccountStore(SqliteDatabase database) : IAccountStore, IAccountDirectory
{
    // The latest committed state of each account this process has seen, shared by the stores on the file: a read of
    // a known account is answered without the file (credit control reads before every write), and one that is not
    // known reads the file once. States are immutable.
    private readonly SqliteKnownState _known = database.Known;

    /// <summary>
    /// An account's head with its part rows (<c>account_parts</c>) and member rows (<c>account_members</c>): one result
    /// row per such row, or one with nulls when it has none; the head is on every result row.
    /// </summary>
    private const string DocumentQuery = """
        SELECT a.account_id, a.version, a.doc, p.part, p.member, p.json
        FROM accounts a LEFT JOIN account_parts p ON p.account_id = a.account_id WHERE a.account_id = $id
        UNION ALL
        SELECT a.account_id, a.version, a.doc, m.part, m.member, m.json
        FROM accounts a JOIN account_members m ON m.account_id = a.account_id WHERE a.account_id = $id
        """;

    /// <summary>As <see cref="DocumentQuery"/>, for a page of accounts in id order (an account's rows together).</summary>
    private const string PageQuery = """
        WITH a AS MATERIALIZED (SELECT account_id, version, doc FROM accounts WHERE account_id > $after ORDER BY account_id LIMIT $limit)
        SELECT a.account_id, a.version, a.doc, p.part, p.member, p.json
        FROM a LEFT JOIN account_parts p ON p.account_id = a.account_id
        UNION ALL
        SELECT a.account_id, a.version, a.doc, m.part, m.member, m.json
        FROM a JOIN account_members m ON m.account_id = a.account_id
        ORDER BY 1
        """;

    private const string SetExpiry = "UPDATE accounts SET version = version + 1, next_expiry = ?2, doc = ?3 WHERE account_id = ?1 AND version = ?4";

    /// <summary>As <see cref="SetExpiry"/>, leaving next_expiry as it is (?2 is bound and unused: the parameters are numbered up to the largest).</summary>
    private const string KeepExpiry = "UPDATE accounts SET version = version + 1, doc = ?3 WHERE account_id = ?1 AND version = ?4";

    public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken)
    {
        if (_known.Account(accountId) is { } known)
        {
            return Task.FromResult<Versioned<AccountState>?>(known);
        }

        var marker = _known.ReadMarker;
        var read = database.Read(session =>
        {
            // One statement, so the head and the part rows are of the same commit.
            using var reader = session.Command(DocumentQuery).With("$id", accountId).ExecuteReader();
            return ReadDocuments(reader).FirstOrDefault();
        });
        if (read.State is null)
        {
            return Task.FromResult<Versioned<AccountState>?>(null);
        }

        var state = new Versioned<AccountState>(read.State, ETag(read.Version));
        _known.RememberRead(state, read.Version, marker);
        return Task.FromResult<Versioned<AccountState>?>(state);
    }

    public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken)
    {
        var expiry = Expiry(account);
        var document = Document(1, account, null, expiry, out var head);
        var parts = SqliteDocumentRows.Changes(null, document.Rows);
        return WriteAsync(account, document, head, session =>
        {
            var created = session
                .Statement("INSERT INTO accounts (account_id, version, next_expiry, doc) VALUES (?1, 1, ?2, ?3) ON CONFLICT (account_id) DO NOTHING")
                .Bind(1, account.AccountId).Bind(2, expiry).Bind(3, head.Span)
                .Run() == 1;
            if (created)
            {
                SqliteDocumentRows.Apply(session, account.AccountId, parts);
            }

            return created;
        }, cancellationToken);
    }

    public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken)
    {
        if (!long.TryParse(ifMatch, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return Task.FromResult<string?>(null); // not an ETag this store handed out: it cannot be current
        }

        var previous = _known.Document(account.AccountId);
        var expiry = Expiry(account);
        var document = Document(checked(version + 1), account, previous, expiry, out var head);

        // The rows written for the version this write replaces are what the file holds if that version is current
        // (this process is the only writer); rows written for any other version are no basis: every row is replaced.
        var basis = previous?.Version == version ? previous : null;
        var parts = SqliteDocumentRows.Changes(basis, document);

        // next_expiry is indexed: naming it in the SET list rewrites its index entry (a page of the WAL) even when the
        // value is the same, and a credit-control step seldom moves it (a lower bound). It is left out when the
        // version replaced holds the same value.
        var sql = basis is not null && basis.Expiry == expiry ? KeepExpiry : SetExpiry;
        return WriteAsync(account, document, head, session =>
        {
            var replaced = session.Statement(sql)
                .Bind(1, account.AccountId).Bind(2, expiry).Bind(3, head.Span).Bind(4, version)
                .Run() == 1;
            if (replaced)
            {
                SqliteDocumentRows.Apply(session, account.AccountId, parts);
            }

            return replaced;
        }, cancellationToken);
    }

    public async IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        var due = database.Read(session =>
        {
            using var reader = session.Command("SELECT account_id FROM accounts WHERE next_expiry <= $at ORDER BY next_expiry")
                .With("$at", SqliteValues.Ticks(instant)).ExecuteReader();
            var ids = new List<string>();
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        });
        foreach (var id in due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return id;
        }
    }

    public async IAsyncEnumerable<string> ListAccountIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        var ids = database.Read(session =>
        {
            using var reader = session.Command("SELECT account_id FROM accounts").ExecuteReader();
            var all = new List<string>();
            while (reader.Read())
            {
                all.Add(reader.GetString(0));
            }

            return all;
        });
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return id;
        }
    }

    public Task<IReadOnlyList<AccountState>> ListPageAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Task.FromResult<IReadOnlyList<AccountState>>(database.Read(session =>
        {
            // The primary key's index serves the range and the order (BINARY collation in both, so pages chain);
            // every id is non-empty, so "" starts at the first. One statement: heads and part rows of one commit.
            using var reader = session.Command(PageQuery).With("$after", after ?? "").With("$limit", limit).ExecuteReader();
            var page = ReadDocuments(reader).Select(d => d.State).ToList();
            return page;
        }));
    }

    /// <summary>
    /// The conditional write; the state it wrote becomes the known one on the writer's thread right after its commit.
    /// A refused write means the known state (if any) was stale, so it is forgotten. The head goes back to the pool once
    /// the write's task has completed: the writer runs a write only until then (<see cref="SqliteWriter.WriteAsync{T}"/>).
    /// </summary>
    private async Task<string?> WriteAsync(AccountState account, AccountDocument document, SqliteRentedJson head, Func<SqliteSession, bool> write, CancellationToken cancellationToken)
    {
        var etag = ETag(document.Version);
        bool written;
        try
        {
            written = await database.WriteAsync(write, done =>
            {
                if (done)
                {
                    _known.Committed(new Versioned<AccountState>(account, etag), document.Version, document);
                }
            }, cancellationToken);
        }
        finally
        {
            head.Return();
        }

        if (!written)
        {
            _known.Forget(account.AccountId);
            return null;
        }

        return etag;
    }

    private static AccountDocument Document(long version, AccountState account, AccountDocument? previous, long? expiry, out SqliteRentedJson head) =>
        SqliteDocumentRows.Write(version, account, previous, out head) with { Expiry = expiry };

    /// <summary>Reads accounts written by <see cref="DocumentQuery"/> or <see cref="PageQuery"/>: an account's rows come together.</summary>
    private static IEnumerable<(long Version, AccountState State)> ReadDocuments(SqliteDataReader reader)
    {
        string? id = null;
        (long Version, byte[] Head) current = (0, []);
        var rows = new List<(string Part, string Member, byte[] Json)>();
        while (reader.Read())
        {
            var rowId = reader.GetString(0);
            if (!string.Equals(rowId, id, StringComparison.Ordinal))
            {
                if (id is not null)
                {
                    yield return (current.Version, Parse(current.Head, rows));
                    rows.Clear();
                }

                id = rowId;
                current = (reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));
            }

            if (!reader.IsDBNull(3))
            {
                rows.Add((reader.GetString(3), reader.GetString(4), reader.GetFieldValue<byte[]>(5)));
            }
        }

        if (id is not null)
        {
            yield return (current.Version, Parse(current.Head, rows));
        }
    }

    private static AccountState Parse(byte[] head, List<(string Part, string Member, byte[] Json)> rows) =>
        SqliteValues.FromJson<AccountState>(SqliteDocumentRows.Assemble(head, rows));

    private static long? Expiry(AccountState account) => account.NextExpiry is { } next ? SqliteValues.Ticks(next) : null;

    private static string ETag(long version) => version.ToString(CultureInfo.InvariantCulture);
}
