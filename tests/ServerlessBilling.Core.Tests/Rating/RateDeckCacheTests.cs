using Microsoft.Extensions.Time.Testing;
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

    [Fact]
    public async Task A_background_reload_that_answers_late_is_as_fresh_as_when_it_read_so_a_deck_put_meanwhile_is_picked_up_a_lifetime_later()
    {
        // The reload of an aged deck was stamped fresh when it answered, not when it read: a slow read found the old
        // deck, another process then put the new one, and the old deck was held as fresh for a whole lifetime after
        // the late answer. (HostileRoundNineTests' slow-deck test failed on it under load: its fake clock moved on
        // before the released read had answered, and every later call was priced with the old deck.)
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
        var store = new HeldReadStore();
        await store.PutAsync(Old, CancellationToken.None);
        var cache = new RateDeckCache(store, clock, TimeSpan.FromSeconds(30));
        Assert.Same(Old, await cache.GetAsync("d", CancellationToken.None));

        store.Hold();
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Same(Old, await cache.GetAsync("d", CancellationToken.None)); // aged: priced with the held deck, reloaded behind
        await store.Reading; // the reload has read the old deck and answers late
        await store.PutAsync(New, CancellationToken.None); // another process uploads the new deck
        clock.Advance(TimeSpan.FromMinutes(1)); // a lifetime and more after that read
        store.Release();
        await store.Answered;
        await Task.Delay(200); // the reload stores what it read (nothing to wait on: it runs in the background)

        // The deck held is a minute older than its lifetime: the next call reloads it, and the calls after get the new deck.
        var deck = await cache.GetAsync("d", CancellationToken.None);
        for (var i = 0; i < 200 && deck != New; i++)
        {
            await Task.Delay(10);
            deck = await cache.GetAsync("d", CancellationToken.None);
        }

        Assert.Same(New, deck);
    }

    private static RateDeck Deck(string destination) =>
        RateDeckParser.Parse("d", $"{Decks.Header}\n33,{destination},0.24,0,30,6,,").Deck!;

    /// <summary>A store whose next read, or next writes, can be held after they have done their work.</summary>
    private sealed class HeldReadStore : IRateDeckStore
    {
        private readonly InMemoryRateDeckStore _inner = new();
        private readonly TaskCompletionSource _reading = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _putting = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource? _readGate;
        private TaskCompletionSource? _putGate;

        public Task Reading => _reading.Task;

        public Task Putting => _putting.Task;

        /// <summary>Completes as the held read, released, answers.</summary>
        public Task Answered => _answered.Task;

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
                _answered.TrySetResult();
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
