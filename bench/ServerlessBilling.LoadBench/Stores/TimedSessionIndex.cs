using System.Diagnostics;
using ServerlessBilling.LoadBench.Infrastructure;

namespace ServerlessBilling.LoadBench.Stores;

/// <summary>Wraps the session index: counts each call and adds up its wall time, so a pair's time can be split per store call.</summary>
internal sealed class TimedSessionIndex(ISessionIndex inner) : ISessionIndex
{
    public StripedCounter ClaimTicks { get; } = new();

    public StripedCounter FindTicks { get; } = new();

    public StripedCounter RecordTicks { get; } = new();

    public StripedCounter HistoryTicks { get; } = new();

    public async Task<SessionClaim> ClaimAsync(string sessionId, string accountId, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var claim = await inner.ClaimAsync(sessionId, accountId, cancellationToken);
        ClaimTicks.Add(Stopwatch.GetTimestamp() - start);
        return claim;
    }

    public async Task<string?> FindAccountAsync(string sessionId, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var account = await inner.FindAccountAsync(sessionId, cancellationToken);
        FindTicks.Add(Stopwatch.GetTimestamp() - start);
        return account;
    }

    public Task ReleaseAsync(string sessionId, string accountId, CancellationToken cancellationToken) => inner.ReleaseAsync(sessionId, accountId, cancellationToken);

    public async Task RecordClosedAsync(ClosedSession closed, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        await inner.RecordClosedAsync(closed, cancellationToken);
        RecordTicks.Add(Stopwatch.GetTimestamp() - start);
    }

    public async Task<ClosedSession?> FindClosedAsync(string sessionId, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var closed = await inner.FindClosedAsync(sessionId, cancellationToken);
        HistoryTicks.Add(Stopwatch.GetTimestamp() - start);
        return closed;
    }

    public void Reset()
    {
        foreach (var counter in new[] { ClaimTicks, FindTicks, RecordTicks, HistoryTicks })
        {
            counter.Reset();
        }
    }
}
