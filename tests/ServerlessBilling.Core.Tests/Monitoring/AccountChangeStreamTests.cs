using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Monitoring;

/// <summary>The embedded change stream under concurrent writers, and the account store that tells it what it wrote.</summary>
public sealed class AccountChangeStreamTests
{
    [Fact]
    public async Task Versions_published_at_once_in_any_order_leave_the_newest_of_each_account_pending()
    {
        var stream = new AccountChangeStream();
        var versions = Enumerable.Range(1, 400).Select(r => Version("acc-" + (r % 3), r)).OrderBy(v => (v.Revision * 7919) % 400).ToList();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            foreach (var version in versions.Where((_, i) => i % 4 == worker))
            {
                stream.Publish(version);
            }
        })));

        var batch = await stream.ReadAsync(default).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(
            versions.GroupBy(v => v.AccountId).Select(g => (g.Key, g.Max(v => v.Revision))).Order(),
            batch.Select(a => (a.AccountId, a.Revision)).Order());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_store_publishes_what_it_wrote_and_nothing_it_refused_and_answers_as_its_inner_store(bool answersLater)
    {
        var stream = new AccountChangeStream();
        IAccountStore inner = new InMemoryAccountStore();
        var store = new ObservedAccountStore(answersLater ? new LaterAccountStore(inner) : inner, stream);
        var opened = Version("acc", 1);

        var created = await store.TryCreateAsync(opened, default);
        Assert.NotNull(created);
        Assert.Null(await store.TryCreateAsync(opened, default));
        var replaced = await store.TryReplaceAsync(Version("acc", 2), created, default);
        Assert.NotNull(replaced);
        Assert.Null(await store.TryReplaceAsync(Version("acc", 3), created, default));
        Assert.Equal(replaced, (await inner.GetAsync("acc", default))!.ETag);

        var batch = await stream.ReadAsync(default).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2L, Assert.Single(batch).Revision);
    }

    private static AccountState Version(string id, long revision) =>
        AccountState.Open(id, Fixtures.Postpaid(10m, hard: false), 0m, Fixtures.Now).Publish(revision, null);

    /// <summary>An account store whose writes finish a moment later, as a remote store's do.</summary>
    private sealed class LaterAccountStore(IAccountStore inner) : IAccountStore
    {
        public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) => inner.GetAsync(accountId, cancellationToken);

        public async Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken)
        {
            await Task.Delay(5, cancellationToken);
            return await inner.TryCreateAsync(account, cancellationToken);
        }

        public async Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken)
        {
            await Task.Delay(5, cancellationToken);
            return await inner.TryReplaceAsync(account, ifMatch, cancellationToken);
        }

        public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) => inner.FindExpiringAsync(instant, cancellationToken);
    }
}
