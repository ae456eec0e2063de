using System.Globalization;
using System.Runtime.CompilerServices;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// Account documents with a version column as the ETag: a replace names the version it read and succeeds only if
/// it is still current, exactly as If-Match does on Cosmos DB. Writes go through the group-committing writer.
/// </summary>
public sealed class SqliteAccountStore(SqliteDatabase database) : IAccountStore
{
    public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(session =>
        {
            using var reader = session.Command("SELECT version, doc FROM accounts WHERE account_id = $id").With("$id", accountId).ExecuteReader();
            return reader.Read()
                ? new Versioned<AccountState>(SqliteValues.FromJson<AccountState>(reader, 1), ETag(reader.GetInt64(0)))
                : null;
        }));

    public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken)
    {
        var doc = SqliteValues.Json(account);
        var expiry = Expiry(account);
        return database.WriteAsync(session => session
            .Command("INSERT INTO accounts (account_id, version, next_expiry, doc) VALUES ($id, 1, $expiry, $doc) ON CONFLICT (account_id) DO NOTHING")
            .With("$id", account.AccountId).With("$expiry", expiry).With("$doc", doc)
            .ExecuteNonQuery() == 1 ? ETag(1) : null, cancellationToken);
    }

    public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken)
    {
        if (!long.TryParse(ifMatch, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return Task.FromResult<string?>(null); // not an ETag this store handed out: it cannot be current
        }

        var doc = SqliteValues.Json(account);
        var expiry = Expiry(account);
        return database.WriteAsync(session => session
            .Command("UPDATE accounts SET version = version + 1, next_expiry = $expiry, doc = $doc WHERE account_id = $id AND version = $version")
            .With("$id", account.AccountId).With("$version", version).With("$expiry", expiry).With("$doc", doc)
            .ExecuteNonQuery() == 1 ? ETag(checked(version + 1)) : null, cancellationToken);
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

    private static long? Expiry(AccountState account) => account.NextExpiry is { } next ? SqliteValues.Ticks(next) : null;

    private static string ETag(long version) => version.ToString(CultureInfo.InvariantCulture);
}
