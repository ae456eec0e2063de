using System.Collections.Concurrent;
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
    private const int CacheCapacity = 100_000;

    // The state last written or read per account, with its version. A read still asks the file for the current
    // version and gets the document only when it differs, so the cache saves parsing a document (tens of KB with
    // its kept sessions) on every credit-control step without ever serving a stale one. States are immutable.
    private readonly ConcurrentDictionary<string, Versioned<AccountState>> _known = new(StringComparer.Ordinal);

    public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken)
    {
        var known = _known.GetValueOrDefault(accountId);
        var knownVersion = known is null ? -1L : Version(known.ETag);
        var read = database.Read(session =>
        {
            using var reader = session.Command("SELECT version, CASE WHEN version = $known THEN NULL ELSE doc END FROM accounts WHERE account_id = $id")
                .With("$id", accountId).With("$known", knownVersion).ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            return reader.IsDBNull(1) && known is not null
                ? known
                : new Versioned<AccountState>(SqliteValues.FromJson<AccountState>(reader, 1), ETag(reader.GetInt64(0)));
        });
        if (read is not null && !ReferenceEquals(read, known))
        {
            Remember(read);
        }

        return Task.FromResult(read);
    }

    public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken)
    {
        var doc = SqliteValues.Json(account);
        var expiry = Expiry(account);
        return RememberWhenWrittenAsync(account, database.WriteAsync(session => session
            .Command("INSERT INTO accounts (account_id, version, next_expiry, doc) VALUES ($id, 1, $expiry, $doc) ON CONFLICT (account_id) DO NOTHING")
            .With("$id", account.AccountId).With("$expiry", expiry).With("$doc", doc)
            .ExecuteNonQuery() == 1 ? ETag(1) : null, cancellationToken));
    }

    public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken)
    {
        if (!long.TryParse(ifMatch, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return Task.FromResult<string?>(null); // not an ETag this store handed out: it cannot be current
        }

        var doc = SqliteValues.Json(account);
        var expiry = Expiry(account);
        return RememberWhenWrittenAsync(account, database.WriteAsync(session => session
            .Command("UPDATE accounts SET version = version + 1, next_expiry = $expiry, doc = $doc WHERE account_id = $id AND version = $version")
            .With("$id", account.AccountId).With("$version", version).With("$expiry", expiry).With("$doc", doc)
            .ExecuteNonQuery() == 1 ? ETag(checked(version + 1)) : null, cancellationToken));
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

    /// <summary>Only a committed write is remembered: the task completes after its commit.</summary>
    private async Task<string?> RememberWhenWrittenAsync(AccountState account, Task<string?> write)
    {
        var etag = await write;
        if (etag is not null)
        {
            Remember(new Versioned<AccountState>(account, etag));
        }

        return etag;
    }

    private void Remember(Versioned<AccountState> state)
    {
        if (_known.Count >= CacheCapacity)
        {
            _known.Clear();
        }

        _known[state.Value.AccountId] = state;
    }

    private static long Version(string etag) => long.Parse(etag, NumberStyles.None, CultureInfo.InvariantCulture);

    private static long? Expiry(AccountState account) => account.NextExpiry is { } next ? SqliteValues.Ticks(next) : null;

    private static string ETag(long version) => version.ToString(CultureInfo.InvariantCulture);
}
