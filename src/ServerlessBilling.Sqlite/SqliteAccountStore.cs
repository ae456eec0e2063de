using System.Globalization;
using System.Runtime.CompilerServices;
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

    public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken)
    {
        if (_known.Account(accountId) is { } known)
        {
            return Task.FromResult<Versioned<AccountState>?>(known);
        }

        var marker = _known.ReadMarker;
        var read = database.Read(session =>
        {
            using var reader = session.Command("SELECT version, doc FROM accounts WHERE account_id = $id").With("$id", accountId).ExecuteReader();
            return reader.Read() ? (Version: reader.GetInt64(0), State: SqliteValues.FromJson<AccountState>(reader, 1)) : default;
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
        var doc = SqliteDocumentJson.Write(account, null);
        var expiry = Expiry(account);
        return WriteAsync(account, 1, doc, session => session
            .Command("INSERT INTO accounts (account_id, version, next_expiry, doc) VALUES ($id, 1, $expiry, $doc) ON CONFLICT (account_id) DO NOTHING")
            .With("$id", account.AccountId).With("$expiry", expiry).With("$doc", doc.Bytes)
            .ExecuteNonQuery() == 1, cancellationToken);
    }

    public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken)
    {
        if (!long.TryParse(ifMatch, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return Task.FromResult<string?>(null); // not an ETag this store handed out: it cannot be current
        }

        var doc = SqliteDocumentJson.Write(account, _known.Document(account.AccountId));
        var expiry = Expiry(account);
        return WriteAsync(account, checked(version + 1), doc, session => session
            .Command("UPDATE accounts SET version = version + 1, next_expiry = $expiry, doc = $doc WHERE account_id = $id AND version = $version")
            .With("$id", account.AccountId).With("$version", version).With("$expiry", expiry).With("$doc", doc.Bytes)
            .ExecuteNonQuery() == 1, cancellationToken);
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
            // every id is non-empty, so "" starts at the first.
            using var reader = session.Command("SELECT doc FROM accounts WHERE account_id > $after ORDER BY account_id LIMIT $limit")
                .With("$after", after ?? "").With("$limit", limit).ExecuteReader();
            var page = new List<AccountState>();
            while (reader.Read())
            {
                page.Add(SqliteValues.FromJson<AccountState>(reader, 0));
            }

            return page;
        }));
    }

    /// <summary>
    /// The conditional write; the state it wrote becomes the known one on the writer's thread right after its commit.
    /// A refused write means the known state (if any) was stale, so it is forgotten.
    /// </summary>
    private async Task<string?> WriteAsync(AccountState account, long version, JsonSnapshot document, Func<SqliteSession, bool> write, CancellationToken cancellationToken)
    {
        var etag = ETag(version);
        var written = await database.WriteAsync(write, done =>
        {
            if (done)
            {
                _known.Committed(new Versioned<AccountState>(account, etag), version, document);
            }
        }, cancellationToken);
        if (!written)
        {
            _known.Forget(account.AccountId);
            return null;
        }

        return etag;
    }

    private static long? Expiry(AccountState account) => account.NextExpiry is { } next ? SqliteValues.Ticks(next) : null;

    private static string ETag(long version) => version.ToString(CultureInfo.InvariantCulture);
}
