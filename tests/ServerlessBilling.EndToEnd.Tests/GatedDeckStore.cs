using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>A rate deck store whose reads a test can hold (a store that answers slowly), counting them.</summary>
public sealed class GatedDeckStore(IRateDeckStore inner) : IRateDeckStore
{
    private TaskCompletionSource? _gate;
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    /// <summary>Holds every read from now on until <see cref="Open"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => Interlocked.Exchange(ref _gate, null)?.TrySetResult();

    public async Task<RateDeck?> GetAsync(string deckId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        if (_gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        return await inner.GetAsync(deckId, cancellationToken);
    }

    public Task PutAsync(RateDeck deck, CancellationToken cancellationToken) => inner.PutAsync(deck, cancellationToken);

    public Task<IReadOnlyList<RateDeckSummary>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);
}
