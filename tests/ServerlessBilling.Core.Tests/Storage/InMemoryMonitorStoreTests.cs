using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Storage;

/// <summary>
/// The memory store's monitor documents, kept as objects for the accounts judged most recently and packed for the rest:
/// the same answers as a plain map of versions whatever is kept parsed, copies that no caller can change, and a bound on
/// what is kept parsed.
/// </summary>
public sealed class InMemoryMonitorStoreTests
{
    private static MonitorState State(string account, long revision, params string[] raised) =>
        new(account, revision, new SpendFigures(revision, 2.50m, 3m, null, 2m, 100m, 0.025m, "ok"), Fixtures.Now.AddMinutes(revision), raised);

    /// <summary>
    /// Each step is one int: which of a few accounts, and a create, a read, or a replace naming the current ETag or a stale one,
    /// against a model (the document and version of each account); the store keeps 0 to 3 documents parsed.
    /// </summary>
    [Property(MaxTest = 200)]
    public Property Creates_reads_and_conditional_replaces_answer_as_a_map_of_versions_whatever_is_kept_parsed() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ListOf().Where(l => l.Count < 100).ToArbitrary(), Gen.Choose(0, 3).ToArbitrary(), Check);

    private static Property Check(IReadOnlyList<int> steps, int capacity)
    {
        var store = new InMemoryMonitorStore(new MemoryStoreOptions { ParsedAccounts = capacity });
        var model = new Dictionary<string, (MonitorState State, string ETag, List<string> ETags)>();
        var revision = 0L;
        foreach (var value in steps)
        {
            var account = "acc-" + (value % 5).ToString(CultureInfo.InvariantCulture);
            var state = State(account, ++revision, [.. Enumerable.Range(0, value % 4).Select(i => $"{account}-alert-{i}")]);
            var found = model.TryGetValue(account, out var held);
            switch ((value / 5) % 4)
            {
                case 0:
                    var created = store.TryCreateAsync(state, default).Result;
                    if ((created is null) != found)
                    {
                        return false.Label($"create of {account}: {created}");
                    }

                    if (created is not null)
                    {
                        model[account] = (state, created, [created]);
                    }

                    break;
                case 1 or 2:
                    var stale = (value / 20) % 3 == 0 && found && held.ETags.Count > 1;
                    var ifMatch = !found ? "1" : stale ? held.ETags[(value / 60) % (held.ETags.Count - 1)] : held.ETag;
                    var replaced = store.TryReplaceAsync(state, ifMatch, default).Result;
                    if ((replaced is not null) != (found && !stale) || (replaced is not null && held.ETags.Contains(replaced)))
                    {
                        return false.Label($"replace of {account} naming {ifMatch}: {replaced}");
                    }

                    if (replaced is not null)
                    {
                        model[account] = (state, replaced, [.. held.ETags, replaced]);
                    }

                    break;
                default:
                    var read = store.GetAsync(account, default).Result;
                    if ((read is not null) != found
                        || (read is not null && (read.ETag != held.ETag || !Same(read.Value, held.State))))
                    {
                        return false.Label($"read of {account}: {read?.ETag}");
                    }

                    break;
            }

            if (store.ParsedCount > capacity)
            {
                return false.Label($"{store.ParsedCount} documents parsed, at most {capacity} kept");
            }
        }

        return true.ToProperty();
    }

    [Fact]
    public async Task What_a_read_hands_out_is_the_document_as_written_and_no_caller_can_change_it()
    {
        var store = new InMemoryMonitorStore();
        var raised = new List<string> { "a-1" };
        var etag = (await store.TryCreateAsync(State("acc", 1) with { Raised = raised }, default))!;
        raised.Add("changed after the write");

        var read = (await store.GetAsync("acc", default))!;
        Assert.Equal(["a-1"], read.Value.Raised);
        Assert.False(read.Value.Raised is ICollection<string> { IsReadOnly: false });

        // A replace from the read's own list keeps it as it is (nothing to copy), and a stale ETag still fails.
        var next = (await store.TryReplaceAsync(read.Value with { Revision = 2 }, etag, default))!;
        Assert.Same(read.Value.Raised, (await store.GetAsync("acc", default))!.Value.Raised);
        Assert.Null(await store.TryReplaceAsync(read.Value with { Revision = 3 }, etag, default));
        Assert.Equal(next, (await store.GetAsync("acc", default))!.ETag);
    }

    [Fact]
    public async Task Documents_beyond_the_parsed_ones_are_packed_and_read_back_the_same()
    {
        var store = new InMemoryMonitorStore(new MemoryStoreOptions { ParsedAccounts = 2 });
        var written = Enumerable.Range(0, 10).Select(i => State("acc-" + i, i + 1, "x-" + i)).ToList();
        foreach (var state in written)
        {
            Assert.Equal("1", await store.TryCreateAsync(state, default));
        }

        Assert.True(store.ParsedCount <= 2);
        foreach (var state in written)
        {
            var read = (await store.GetAsync(state.AccountId, default))!;
            Assert.True(Same(read.Value, state));
            Assert.Equal("2", await store.TryReplaceAsync(read.Value with { Revision = 99 }, read.ETag, default));
            Assert.True(store.ParsedCount <= 2);
        }
    }

    [Fact]
    public async Task Concurrent_read_then_replace_loops_lose_no_write_while_documents_are_packed_and_parsed()
    {
        var store = new InMemoryMonitorStore(new MemoryStoreOptions { ParsedAccounts = 1 });
        var accounts = Enumerable.Range(0, 3).Select(i => "acc-" + i).ToList();
        foreach (var account in accounts)
        {
            await store.TryCreateAsync(State(account, 0), default);
        }

        var succeeded = new int[accounts.Count];
        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                var at = (worker + i) % accounts.Count;
                var read = (await store.GetAsync(accounts[at], default))!;
                if (await store.TryReplaceAsync(read.Value with { Revision = read.Value.Revision + 1 }, read.ETag, default) is not null)
                {
                    Interlocked.Increment(ref succeeded[at]);
                }
            }
        })));

        for (var at = 0; at < accounts.Count; at++)
        {
            var read = (await store.GetAsync(accounts[at], default))!;
            Assert.Equal(succeeded[at], read.Value.Revision);
            Assert.Equal((succeeded[at] + 1).ToString(CultureInfo.InvariantCulture), read.ETag);
        }

        Assert.True(store.ParsedCount <= 1 + 4);
    }

    private static bool Same(MonitorState read, MonitorState written) =>
        (read.AccountId, read.Revision, read.Figures, read.UpdatedAt) == (written.AccountId, written.Revision, written.Figures, written.UpdatedAt)
        && read.UpdatedAt.Offset == written.UpdatedAt.Offset
        && read.Raised.SequenceEqual(written.Raised);
}
