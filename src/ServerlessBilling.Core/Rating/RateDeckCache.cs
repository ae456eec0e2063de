using System.Collections.Concurrent;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Rating;

/// <summary>
/// A short-lived in-process cache of rate decks: decks are large and change rarely, and pricing reads them
/// on every call. Money is never cached.
/// </summary>
public sealed class RateDeckCache(IRateDeckStore store, TimeProvider clock, TimeSpan? lifetime = null)
{
    private readonly TimeSpan _lifetime = lifetime ?? TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (RateDeck? Deck, DateTimeOffset Until)> _entries = new(StringComparer.Ordinal);

    // The reads of decks not held, one per deck id while it runs, shared by every call that finds that deck not held.
    private readonly ConcurrentDictionary<string, Task<RateDeck?>> _loading = new(StringComparer.Ordinal);

    // Uploads one at a time, so that the deck held here is the one the store kept last (two uploads of one deck at once
    // must not leave the store with one and the pricing with the other). Uploads are rare; reads never wait on it.
    private readonly SemaphoreSlim _puts = new(1, 1);

    public async ValueTask<RateDeck?> GetAsync(string deckId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var found = _entries.TryGetValue(deckId, out var entry);
        if (found && (entry.Until > now || entry.Deck is not null))
        {
            if (entry.Until <= now)
            {
                // Aged: one caller reloads it in the background and every call meanwhile is priced with the deck held, so
                // no call waits for (or repeats) the read of a large deck on the credit-control path.
                Refresh(deckId, entry);
            }

            return entry.Deck;
        }

        // Not held (a cold start, or a missing deck looked up again): the calls that find it so share one read of the
        // store. Each waits for it as long as its own token allows; the read itself goes on for the others and the cache.
        return await LoadShared(deckId, found, entry, now).WaitAsync(cancellationToken);
    }

    /// <summary>The read of <paramref name="deckId"/> in flight, or a new one that this caller starts.</summary>
    private Task<RateDeck?> LoadShared(string deckId, bool found, (RateDeck? Deck, DateTimeOffset Until) entry, DateTimeOffset now)
    {
        while (true)
        {
            if (_loading.TryGetValue(deckId, out var running))
            {
                return running;
            }

            var mine = new TaskCompletionSource<RateDeck?>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_loading.TryAdd(deckId, mine.Task))
            {
                _ = LoadAsync(deckId, found, entry, now, mine);
                return mine.Task;
            }
        }
    }

    private async Task LoadAsync(string deckId, bool found, (RateDeck? Deck, DateTimeOffset Until) entry, DateTimeOffset now, TaskCompletionSource<RateDeck?> shared)
    {
        try
        {
            // A deck put while this read ran is newer than what the read found: it is kept. No caller's token ends the
            // read, but a store that does not answer within a deck's lifetime fails it, so that a later call reads again.
            using var limit = new CancellationTokenSource(_lifetime, clock);
            var deck = await store.GetAsync(deckId, limit.Token);
            var loaded = (deck, now + _lifetime);
            _ = found ? _entries.TryUpdate(deckId, loaded, entry) : _entries.TryAdd(deckId, loaded);
            _loading.TryRemove(KeyValuePair.Create(deckId, shared.Task));
            shared.SetResult(deck);
        }
        catch (Exception ex)
        {
            // The store faulted: every call that shared this read gets the fault (a 503), and the next call reads again.
            _loading.TryRemove(KeyValuePair.Create(deckId, shared.Task));
            shared.SetException(ex);
        }
    }

    private void Refresh(string deckId, (RateDeck? Deck, DateTimeOffset Until) aged)
    {
        // The caller that extends the held deck's lifetime reloads it; a deck put meanwhile is not replaced by the read.
        // What the read found is as fresh as the moment it began (as for a first read), not as the moment it answered:
        // a slow read would otherwise hold a deck replaced in the store while it ran for a whole lifetime after it.
        var held = (aged.Deck, clock.GetUtcNow() + _lifetime);
        if (_entries.TryUpdate(deckId, held, aged))
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    var reading = clock.GetUtcNow();
                    _entries.TryUpdate(deckId, (await store.GetAsync(deckId, CancellationToken.None), reading + _lifetime), held);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The store faulted: the held deck serves until its lifetime passes again, then a call reads again.
                }
            });
        }
    }

    public async Task PutAsync(RateDeck deck, CancellationToken cancellationToken)
    {
        await _puts.WaitAsync(cancellationToken);
        try
        {
            await store.PutAsync(deck, cancellationToken);
            _entries[deck.DeckId] = (deck, clock.GetUtcNow() + _lifetime);
        }
        finally
        {
            _puts.Release();
        }
    }
}
