using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Testing;

/// <summary>What the administrators' lists need of every store: accounts in pages by id, and every deck with its size.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task Account_pages_chain_by_id_each_account_once_in_ascending_order()
    {
        // One unique prefix: nothing another test stores sorts between these ids, whatever the store already holds.
        var prefix = NewId("page");
        var ids = Enumerable.Range(0, 7).Select(i => $"{prefix}-{i}").ToList();
        foreach (var id in ids.AsEnumerable().Reverse())
        {
            Assert.NotNull(await Stores.Accounts.TryCreateAsync(AccountState.Open(id, Fixtures.Prepaid(), 3m, Fixtures.Now), default));
        }

        var walked = new List<AccountState>();
        var after = prefix;
        while (true)
        {
            var page = await Stores.Directory.ListPageAsync(after, 3, default);
            Assert.InRange(page.Count, 0, 3);
            var ours = page.TakeWhile(a => a.AccountId.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            walked.AddRange(ours);
            if (page.Count < 3 || ours.Count < page.Count)
            {
                break;
            }

            after = page[^1].AccountId;
        }

        Assert.Equal(ids, walked.Select(a => a.AccountId));
        Assert.All(walked, a => Assert.Equal(3m, a.Balance));
        Assert.Equal(ids.Skip(3).Take(2), (await Stores.Directory.ListPageAsync(ids[2], 2, default)).Select(a => a.AccountId));
    }

    [Fact]
    public async Task The_first_account_page_starts_at_the_lowest_id_and_pages_never_overlap()
    {
        Assert.NotNull(await Stores.Accounts.TryCreateAsync(AccountState.Open(NewId("first"), Fixtures.Prepaid(), 1m, Fixtures.Now), default));

        var first = await Stores.Directory.ListPageAsync(null, 2, default);
        var second = await Stores.Directory.ListPageAsync(first[^1].AccountId, 2, default);

        Assert.NotEmpty(first);
        Assert.InRange(first.Count, 1, 2);
        Assert.Empty(first.Select(a => a.AccountId).Intersect(second.Select(a => a.AccountId)));
        Assert.Equal(first.Select(a => a.AccountId), (await Stores.Directory.ListPageAsync("", 2, default)).Select(a => a.AccountId));
    }

    [Fact]
    public async Task Ids_outside_ascii_are_each_listed_once()
    {
        var prefix = NewId("intl");
        string[] ids = [$"{prefix}-zürich", $"{prefix}-\u6771\u4eac", $"{prefix}-\U0001F4DE", $"{prefix}-a", $"{prefix}-\uFF21"];
        foreach (var id in ids)
        {
            Assert.NotNull(await Stores.Accounts.TryCreateAsync(AccountState.Open(id, Fixtures.Prepaid(), 1m, Fixtures.Now), default));
        }

        var walked = new List<string>();
        var after = prefix;
        for (var guard = 0; guard < ids.Length + 2; guard++)
        {
            var page = await Stores.Directory.ListPageAsync(after, 2, default);
            walked.AddRange(page.Select(a => a.AccountId).Where(id => id.StartsWith(prefix, StringComparison.Ordinal)));
            if (page.Count < 2)
            {
                break;
            }

            after = page[^1].AccountId;
        }

        Assert.Equal(ids.Order(StringComparer.Ordinal), walked.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Decks_are_listed_by_id_with_their_row_counts_and_a_replaced_deck_shows_its_new_size()
    {
        var prefix = NewId("list");
        var small = new RateDeck($"{prefix}-b", Fixtures.Deck().Rows.Take(1).ToList());
        var full = Fixtures.Deck($"{prefix}-a");
        await Stores.Decks.PutAsync(small, default);
        await Stores.Decks.PutAsync(full, default);

        var listed = (await Stores.Decks.ListAsync(default)).Where(d => d.DeckId.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal([new RateDeckSummary($"{prefix}-a", 3), new RateDeckSummary($"{prefix}-b", 1)], listed);

        await Stores.Decks.PutAsync(new RateDeck(small.DeckId, Fixtures.Deck().Rows), default);
        Assert.Contains(new RateDeckSummary($"{prefix}-b", 3), await Stores.Decks.ListAsync(default));
    }
}
