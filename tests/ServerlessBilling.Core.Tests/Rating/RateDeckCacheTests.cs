using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;

namespace ServerlessBilling.Core.Tests.Rating;

/// <summary>The deck the cache prices with is the deck the store holds last, whatever the order in which calls finish.</summary>
public sealed class RateDeckCacheTests
{
    private static readonly RateDeck Old = Deck("Old");
    private static readonly RateDeck New = Deck("New");

    [Fact]
    public async Task A_first_read_that_returns_after_an_upload_does_not_bring_the_older_deck_back()
    {
        var store = new HeldReadStore();
        await store.PutAsync(Old, CancellationToken.None);
        var cache = new RateDeckCache(store, TimeProvider.System);

        // The first read finds the old deck, then answers late; an upload of the new deck finishes meanwhile.
        store.Hold();
        var read = cache.GetAsync("d", CancellationToken.None).AsTask();
        await store.Reading;
        await cache.PutAsync(New, CancellationToken.None);
        store.Release();

        Assert.Same(Old, await read); // that call was priced as it began
        Assert.Same(New, await cache.GetAsync("d", CancellationToken.None));
    }

    [Fact]
    public async Task Two_uploads_at_once_leave_the_cache_with_the_deck_the_store_kept()
    {
        var store = new HeldReadStore();
        var cache = new RateDeckCache(store, TimeProvider.System);

        // The first upload's write lands, then its call is held; the second must not overtake it in the cache alone.
        store.HoldPuts();
        var first = cache.PutAsync(Old, CancellationToken.None);
        await store.Putting;
        var second = cache.PutAsync(New, CancellationToken.None);
        store.ReleasePuts();
        await Task.WhenAll(first, second);

        Assert.Same(await store.GetAsync("d", CancellationToken.None), await cache.GetAsync("d", CancellationToken.None));
    }

    [Fact]
    public async Task Calls_that_find_a_deck_not_held_share_one_read_of_the_store()
    {
        // A cold start under load: every call on a large deck reading it again would each parse it, and run past the
        // store deadline together.
        var store = new HeldReadStore();
        await store.PutAsync(Old, CancellationToken.None);
        var cache = new RateDeckCache(store, TimeProvider.System);

        store.Hold();
        var first = cache.GetAsync("d", CancellationToken.None).AsTask();
        await store.Reading;
        var others = Enumerable.Range(0, 8).Select(_ => cache.GetAsync("d", CancellationToken.None).AsTask()).ToList();
        using (var impatient = new CancellationTokenSource())
        {
            var gaveUp = cache.GetAsync("d", impatient.Token).AsTask();
            await impatient.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gaveUp); // its deadline: the read goes on for the others
        }

        store.Release();
        Assert.All(await Task.WhenAll(others.Append(first)), deck => Assert.Same(Old, deck));
        Assert.Equal(1, store.Reads);
        Assert.Same(Old, await cache.GetAsync("d", CancellationToken.None));
        Assert.Equal(1, store.Reads);
    }

    [Fact]
    public async Task A_shared_read_that_faults_fails_every_call_that_waited_and_the_next_call_reads_again()
    {
        var store = new HeldReadStore();
        await store.PutAsync(Old, CancellationToken.None);
        var cache = new RateDeckCache(store, TimeProvider.System);

        store.Hold();
        store.FailNextRead = true;
        var calls = Enumerable.Range(0, 4).Select(_ => cache.GetAsync("d", CancellationToken.None).AsTask()).ToList();
        await store.Reading;
        store.Release();
        foreach (var call in calls)
        {
            await Assert.ThrowsAsync<StoreUnavailableException>(() => call);
        }

        Assert.Same(Old, await cache.GetAsync("d", CancellationToken.None));
        Assert.Equal(2, store.Reads);
    }

    private static RateDeck Deck(string destination) =>
        RateDeckParser.Parse("d", $"{Decks.Header}\n33,{destination},0.24,0,30,6,,").Deck!;

    /// <summary>A store whose next read, or next writes, can be held after they have done their work.</summary>
    private sealed class HeldReadStore : IRateDeckStore
    {
        private readonly InMemoryRateDeckStore _inner = new();
        private readonly TaskCompletionSource _reading = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _putting = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource? _readGate;
        private TaskCompletionSource? _putGate;

        public Task Reading => _reading.Task;

        public Task Putting => _putting.Task;

        public void Hold() => _readGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _readGate?.TrySetResult();

        public void HoldPuts() => _putGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void ReleasePuts() => _putGate?.TrySetResult();

        public int Reads => _reads;

        public bool FailNextRead { get; set; }

        private int _reads;

        public async Task<RateDeck?> GetAsync(string deckId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            var found = await _inner.GetAsync(deckId, cancellationToken);
            if (_readGate is { } gate && _reading.TrySetResult())
            {
                await gate.Task; // only the first read after Hold is held
            }

            if (FailNextRead)
            {
                FailNextRead = false;
                throw new StoreUnavailableException("the rate-deck store is unavailable: test fault");
            }

            return found;
        }

        public async Task PutAsync(RateDeck deck, CancellationToken cancellationToken)
        {
            await _inner.PutAsync(deck, cancellationToken);
            if (_putGate is { } gate && _putting.TrySetResult())
            {
                await gate.Task; // only the first upload is held
            }
        }

        public Task<IReadOnlyList<RateDeckSummary>> ListAsync(CancellationToken cancellationToken) => _inner.ListAsync(cancellationToken);
    }
}
