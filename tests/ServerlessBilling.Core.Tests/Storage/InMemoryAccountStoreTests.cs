using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Storage;

/// <summary>
/// The memory account store keeps the most recently used documents parsed and packs the rest: a packed document reads,
/// replaces and is found as a parsed one is, with the same ETags.
/// </summary>
public sealed class InMemoryAccountStoreTests
{
    [Fact]
    public async Task Beyond_the_count_the_least_recently_used_documents_are_packed_and_read_back_with_their_etags()
    {
        var store = new InMemoryAccountStore(new MemoryStoreOptions { ParsedAccounts = 3 });
        var etags = new Dictionary<string, string>();
        for (var i = 0; i < 10; i++)
        {
            var account = AccountState.Open($"a-{i}", Fixtures.Prepaid(), i, Fixtures.Now);
            etags[account.AccountId] = (await store.TryCreateAsync(account, default))!;
        }

        Assert.InRange(store.ParsedCount, 0, 3);
        for (var i = 0; i < 10; i++)
        {
            var read = (await store.GetAsync($"a-{i}", default))!;
            Assert.Equal(etags[$"a-{i}"], read.ETag);
            Assert.Equal(i, read.Value.Balance);
            Assert.Equal(Fixtures.Prepaid(), read.Value.Settings);
        }

        Assert.InRange(store.ParsedCount, 0, 3);
    }

    [Fact]
    public async Task A_document_in_use_stays_parsed_and_is_the_object_written()
    {
        var store = new InMemoryAccountStore(new MemoryStoreOptions { ParsedAccounts = 4 });
        var hot = AccountState.Open("hot", Fixtures.Prepaid(), 1m, Fixtures.Now);
        await store.TryCreateAsync(hot, default);
        for (var i = 0; i < 50; i++)
        {
            Assert.Same(hot, (await store.GetAsync("hot", default))!.Value);
            await store.TryCreateAsync(AccountState.Open($"cold-{i}", Fixtures.Prepaid(), 1m, Fixtures.Now), default);
        }

        Assert.Same(hot, (await store.GetAsync("hot", default))!.Value);
    }

    [Fact]
    public async Task A_packed_document_is_replaced_with_its_current_etag_only()
    {
        var store = new InMemoryAccountStore(new MemoryStoreOptions { ParsedAccounts = 0 });
        var account = AccountState.Open("a", Fixtures.Prepaid(), 10m, Fixtures.Now);
        var first = (await store.TryCreateAsync(account, default))!;
        var second = (await store.TryReplaceAsync(account with { Balance = 9m, Committed = 1m }, first, default))!;
        Assert.Equal(0, store.ParsedCount);

        Assert.Null(await store.TryReplaceAsync(account with { Balance = 5m }, first, default));
        Assert.Null(await store.TryReplaceAsync(account with { Balance = 5m }, second.Trim('"'), default));
        Assert.Null(await store.TryReplaceAsync(account with { Balance = 5m }, "\"0" + second.Trim('"') + "\"", default));
        var third = await store.TryReplaceAsync(account with { Balance = 8m, Committed = 2m }, second, default);

        var read = (await store.GetAsync("a", default))!;
        Assert.Equal(third, read.ETag);
        Assert.Equal(8m, read.Value.Balance);
    }

    [Fact]
    public async Task Packed_documents_with_a_reservation_are_found_by_the_sweep_and_listed()
    {
        var store = new InMemoryAccountStore(new MemoryStoreOptions { ParsedAccounts = 0 });
        var harness = new CreditControlHarness(store, new InMemorySessionIndex(), new InMemoryRateDeckStore());
        var busy = await harness.OpenAsync("busy", Fixtures.Prepaid(), 100m);
        await harness.OpenAsync("idle", Fixtures.Prepaid(), 100m);
        Assert.Null((await harness.AuthorizeAsync(busy, "call")).Error);
        var expiry = (await store.GetAsync("busy", default))!.Value.NextExpiry!.Value;

        Assert.Equal(["busy"], await store.FindExpiringAsync(expiry, default).ToListAsync());
        Assert.Empty(await store.FindExpiringAsync(expiry.AddTicks(-1), default).ToListAsync());
        Assert.Equal(["busy", "idle"], (await store.ListPageAsync(null, 10, default)).Select(a => a.AccountId));
        Assert.Equal(0, store.ParsedCount);
    }

    [Fact]
    public async Task Concurrent_reads_and_writes_on_packed_documents_lose_no_update()
    {
        var store = new InMemoryAccountStore(new MemoryStoreOptions { ParsedAccounts = 2 });
        var ids = Enumerable.Range(0, 8).Select(i => $"a-{i}").ToArray();
        foreach (var id in ids)
        {
            await store.TryCreateAsync(AccountState.Open(id, Fixtures.Prepaid(), 0m, Fixtures.Now), default);
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (var n = 0; n < 200; n++)
            {
                var id = ids[(n + worker) % ids.Length];
                while (true)
                {
                    var read = (await store.GetAsync(id, default))!;
                    if (await store.TryReplaceAsync(read.Value with { TopUps = read.Value.TopUps + 1, Balance = read.Value.Balance + 1 }, read.ETag, default) is not null)
                    {
                        break;
                    }
                }
            }
        })));

        var total = 0m;
        foreach (var id in ids)
        {
            total += (await store.GetAsync(id, default))!.Value.Balance;
        }

        Assert.Equal(800m, total);
    }
}
