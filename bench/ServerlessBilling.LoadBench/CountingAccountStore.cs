using System.Diagnostics;
using System.Runtime.CompilerServices;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.LoadBench.Infrastructure;

namespace ServerlessBilling.LoadBench;

/// <summary>
/// Wraps an account store and counts what credit control asks of it: reads, writes, and the conditional writes
/// refused because another writer changed the document first (HTTP 412; each one makes the updater re-read and
/// retry). With <c>timed</c>, also adds up the time spent in reads and in writes, to split a pair's latency.
/// </summary>
internal sealed class CountingAccountStore(IAccountStore inner, bool timed) : IAccountStore
{
    public StripedCounter Reads { get; } = new();

    public StripedCounter Creates { get; } = new();

    public StripedCounter Replaces { get; } = new();

    /// <summary>Replaces refused: the ETag had changed (412), or creates refused (409).</summary>
    public StripedCounter Conflicts { get; } = new();

    public StripedCounter ReadTicks { get; } = new();

    public StripedCounter WriteTicks { get; } = new();

    public async Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken)
    {
        var start = Start();
        var result = await inner.GetAsync(accountId, cancellationToken);
        Stop(ReadTicks, start);
        Reads.Add();
        return result;
    }

    public async Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken)
    {
        var start = Start();
        var etag = await inner.TryCreateAsync(account, cancellationToken);
        Stop(WriteTicks, start);
        Creates.Add();
        if (etag is null)
        {
            Conflicts.Add();
        }

        return etag;
    }

    public async Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken)
    {
        var start = Start();
        var etag = await inner.TryReplaceAsync(account, ifMatch, cancellationToken);
        Stop(WriteTicks, start);
        Replaces.Add();
        if (etag is null)
        {
            Conflicts.Add();
        }

        return etag;
    }

    public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) =>
        inner.FindExpiringAsync(instant, cancellationToken);

    public void Reset()
    {
        Reads.Reset();
        Creates.Reset();
        Replaces.Reset();
        Conflicts.Reset();
        ReadTicks.Reset();
        WriteTicks.Reset();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Start() => timed ? Stopwatch.GetTimestamp() : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Stop(StripedCounter counter, long start)
    {
        if (timed)
        {
            counter.Add(Stopwatch.GetTimestamp() - start);
        }
    }
}
