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
    public async Task Versions_published_at_once_in_any_order_leave_each_account_pending_once()
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
        Assert.Equal(["acc-0", "acc-1", "acc-2"], batch.Order());
        Assert.Equal(0, stream.Pending);
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
        Assert.Equal("acc", Assert.Single(await stream.ReadAsync(default).WaitAsync(TimeSpan.FromSeconds(5))));
        Assert.Null(await store.TryCreateAsync(opened, default));
        Assert.Equal(0, stream.Pending);

        var replaced = await store.TryReplaceAsync(Version("acc", 2), created, default);
        Assert.NotNull(replaced);
        Assert.Equal("acc", Assert.Single(await stream.ReadAsync(default).WaitAsync(TimeSpan.FromSeconds(5))));
        Assert.Null(await store.TryReplaceAsync(Version("acc", 3), created, default));
        Assert.Equal(0, stream.Pending);
        Assert.Equal(replaced, (await inner.GetAsync("acc", default))!.ETag);
    }

    [Fact]
    public async Task The_reader_takes_the_newest_stored_version_of_each_account_named_a_page_at_a_time_and_leaves_out_one_not_stored()
    {
        var stream = new AccountChangeStream();
        var store = new ObservedAccountStore(new InMemoryAccountStore(), stream);
        var ids = Enumerable.Range(0, AccountChangeStream.ReadPage + 50).Select(i => $"acc-{i:D3}").ToList();
        foreach (var id in ids)
        {
            var etag = await store.TryCreateAsync(Version(id, 1), default);
            await store.TryReplaceAsync(Version(id, 2), etag!, default);
        }

        var changed = (await stream.ReadAsync(default).WaitAsync(TimeSpan.FromSeconds(5))).Order().Append("never-stored").ToList();
        var (first, taken, _) = await AccountChangeStream.ReadNewestAsync(store, changed, 0, default);
        Assert.Equal(AccountChangeStream.ReadPage, taken);
        Assert.Equal(ids.Take(AccountChangeStream.ReadPage), first.Select(a => a.AccountId));
        Assert.All(first, a => Assert.Equal(2L, a.Revision));

        var (rest, restTaken, _) = await AccountChangeStream.ReadNewestAsync(store, changed, taken, default);
        Assert.Equal(51, restTaken);
        Assert.Equal(ids.Skip(AccountChangeStream.ReadPage), rest.Select(a => a.AccountId));
    }

    /// <summary>
    /// Monitoring reads every account written once: through the memory store's plain read, each packed one it read
    /// became one of the parsed documents, pushing out those credit control and ingestion were using (each to be parsed
    /// again at its next call).
    /// </summary>
    [Fact]
    public async Task The_reader_leaves_the_memory_store_s_parsed_documents_as_they_are()
    {
        var stream = new AccountChangeStream();
        var store = new ObservedAccountStore(new InMemoryAccountStore(new MemoryStoreOptions { ParsedAccounts = 4 }), stream);
        var cold = Enumerable.Range(0, 50).Select(i => $"cold-{i:D2}").ToList();
        foreach (var id in cold)
        {
            await store.TryCreateAsync(Version(id, 1), default);
        }

        var hot = Version("hot", 1);
        await store.TryCreateAsync(hot, default);

        var (read, _, _) = await AccountChangeStream.ReadNewestAsync(store, cold, 0, default);

        Assert.Equal(cold, read.Select(a => a.AccountId));
        Assert.Same(hot, (await store.GetAsync("hot", default))!.Value);
    }

    /// <summary>
    /// While monitoring is behind, the stream must not keep alive the documents written meanwhile: it held the newest
    /// document of every pending account, so a busy machine on which monitoring lagged kept a parsed copy of most
    /// accounts beside the memory store's packed ones (a heap of 475 MB where 217 MB were live data).
    /// </summary>
    [Fact]
    public async Task Pending_accounts_do_not_keep_the_documents_published_alive()
    {
        var stream = new AccountChangeStream();
        var published = PublishMany(stream, 500);

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.Equal(0, published.Count(w => w.TryGetTarget(out _)));
        Assert.Equal(500, (await stream.ReadAsync(default).WaitAsync(TimeSpan.FromSeconds(5))).Count);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static List<WeakReference<AccountState>> PublishMany(AccountChangeStream stream, int count)
    {
        var published = new List<WeakReference<AccountState>>(count);
        for (var i = 0; i < count; i++)
        {
            var account = Version(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"weak-{i}"), 1);
            stream.Publish(account);
            published.Add(new WeakReference<AccountState>(account));
        }

        return published;
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
