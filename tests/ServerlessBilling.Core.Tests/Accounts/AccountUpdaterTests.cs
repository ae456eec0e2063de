using System.Text.Json;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Accounts;

/// <summary>
/// Every write bumps the revision. The updater stamps it on the document the rule has just made instead of copying
/// it once more, so it must never stamp a document someone else may hold: the one it read, or one already stored.
/// </summary>
public sealed class AccountUpdaterTests
{
    private readonly InMemoryAccountStore _store = new();
    private readonly AccountUpdater _updater;

    public AccountUpdaterTests() => _updater = new AccountUpdater(_store, new AccountWriteOptions());

    [Fact]
    public async Task Each_write_stores_the_next_revision_on_the_document_the_rule_made()
    {
        await _updater.UpdateAsync("acme", _ => Decision.Changed(AccountState.Open("acme", Fixtures.Prepaid(), 10m, Fixtures.Now), "opened"), default);
        var first = await ReadAsync();

        var written = await _updater.UpdateAsync("acme", a => Decision.Changed(a!.WithTopUp(5m, Fixtures.Now), "topped up"), default);

        var stored = await ReadAsync();
        Assert.Same(stored, written.Next);
        Assert.Equal((1, 2), (first.Revision, stored.Revision));
        Assert.Equal(15m, stored.Balance);
    }

    [Fact]
    public async Task A_rule_that_answers_the_document_it_read_gets_a_stamped_copy_and_the_read_one_keeps_its_revision()
    {
        await _updater.UpdateAsync("acme", _ => Decision.Changed(AccountState.Open("acme", Fixtures.Prepaid(), 10m, Fixtures.Now), "opened"), default);
        var read = await ReadAsync();

        var written = await _updater.UpdateAsync("acme", a => Decision.Changed(a!, "same"), default);

        Assert.Equal(1, read.Revision);
        Assert.NotSame(read, written.Next);
        Assert.Equal(2, (await ReadAsync()).Revision);
    }

    [Fact]
    public async Task A_document_stored_before_and_answered_again_is_copied_not_restamped()
    {
        // A store that hands out copies (as the JSON stores do), so the document a rule answers is not the one read.
        var store = new CopyingStore(_store);
        var updater = new AccountUpdater(store, new AccountWriteOptions());
        var opened = await updater.UpdateAsync("acme", _ => Decision.Changed(AccountState.Open("acme", Fixtures.Prepaid(), 10m, Fixtures.Now), "opened"), default);
        var published = opened.Next!;

        var again = await updater.UpdateAsync("acme", _ => Decision.Changed(published, "again"), default);

        Assert.Equal(1, published.Revision);
        Assert.Equal(2, again.Next!.Revision);
        Assert.Equal(2, (await _store.GetAsync("acme", default))!.Value.Revision);
    }

    [Fact]
    public async Task The_stored_json_of_a_stamped_document_is_the_json_of_the_copy_the_revision_used_to_make()
    {
        await _updater.UpdateAsync("acme", _ => Decision.Changed(AccountState.Open("acme", Fixtures.Prepaid(), 10m, Fixtures.Now), "opened"), default);
        var read = await ReadAsync();
        var next = read.WithTopUp(5m, Fixtures.Now);
        var copied = next with { Revision = 2 };

        await _updater.UpdateAsync("acme", _ => Decision.Changed(next, "topped up"), default);

        Assert.Equal(JsonSerializer.Serialize(copied, StoredJson.Options), JsonSerializer.Serialize(await ReadAsync(), StoredJson.Options));
        Assert.Equal(copied, await ReadAsync());
    }

    private async Task<AccountState> ReadAsync() => (await _store.GetAsync("acme", default))!.Value;

    private sealed class CopyingStore(IAccountStore inner) : IAccountStore
    {
        public async Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) =>
            await inner.GetAsync(accountId, cancellationToken) is { } read
                ? new Versioned<AccountState>(JsonSerializer.Deserialize<AccountState>(JsonSerializer.Serialize(read.Value, StoredJson.Options), StoredJson.Options)!, read.ETag)
                : null;

        public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken) => inner.TryCreateAsync(account, cancellationToken);

        public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken) => inner.TryReplaceAsync(account, ifMatch, cancellationToken);

        public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) => inner.FindExpiringAsync(instant, cancellationToken);
    }
}
