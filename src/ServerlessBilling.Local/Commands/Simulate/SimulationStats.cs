using System.Collections.Concurrent;

namespace ServerlessBilling.Local.Commands.Simulate;

/// <summary>What the run has seen so far, updated by many calls at once and read by the view.</summary>
public sealed class SimulationStats
{
    private readonly ConcurrentDictionary<string, int> _denials = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AlertSeen> _alerts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly List<double> _authorizeMilliseconds = [];
    private readonly Lock _latencyLock = new();
    private long _started, _ended, _grants, _cutByFinalUnit, _interims, _topUps, _cdrsPosted, _errorCount, _historyPosted;

    public long Started => Interlocked.Read(ref _started);
    public long Ended => Interlocked.Read(ref _ended);
    public long Active => Started - Ended;
    public long Grants => Interlocked.Read(ref _grants);
    public long CutByFinalUnit => Interlocked.Read(ref _cutByFinalUnit);
    public long Interims => Interlocked.Read(ref _interims);
    public long TopUps => Interlocked.Read(ref _topUps);
    public long CdrsPosted => Interlocked.Read(ref _cdrsPosted);
    public long HistoryPosted => Interlocked.Read(ref _historyPosted);
    public long ErrorCount => Interlocked.Read(ref _errorCount);
    public long Denials => _denials.Values.Sum();

    /// <summary>Denials by result code.</summary>
    public IReadOnlyDictionary<string, int> DenialsByCode => new SortedDictionary<string, int>(_denials, StringComparer.Ordinal);

    /// <summary>The alerts seen on the run's accounts, oldest first.</summary>
    public IReadOnlyList<AlertSeen> Alerts => [.. _alerts.Values.OrderBy(a => a.RaisedAt).ThenBy(a => a.AlertId, StringComparer.Ordinal)];

    /// <summary>The first errors, in the order they happened.</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    /// <summary>The last balance read of the runaway account (null until read).</summary>
    public Core.Accounts.BalanceView? Runaway { get; set; }

    public void CallStarted() => Interlocked.Increment(ref _started);
    public void CallEnded() => Interlocked.Increment(ref _ended);
    public void Granted() => Interlocked.Increment(ref _grants);
    public void Denied(string resultCode) => _denials.AddOrUpdate(resultCode, 1, (_, n) => n + 1);
    public void Cut() => Interlocked.Increment(ref _cutByFinalUnit);
    public void Interim() => Interlocked.Increment(ref _interims);
    public void ToppedUp() => Interlocked.Increment(ref _topUps);
    public void CdrsSent(int count) => Interlocked.Add(ref _cdrsPosted, count);
    public void HistorySent(int count) => Interlocked.Add(ref _historyPosted, count);

    /// <returns>Whether the alert is new.</returns>
    public bool Saw(AlertSeen alert) => _alerts.TryAdd(alert.AlertId, alert);

    public void Failed(string error)
    {
        if (Interlocked.Increment(ref _errorCount) <= 20)
        {
            _errors.Enqueue(error);
        }
    }

    public void AuthorizeTook(TimeSpan elapsed)
    {
        lock (_latencyLock)
        {
            _authorizeMilliseconds.Add(elapsed.TotalMilliseconds);
        }
    }

    /// <summary>The authorize latency at <paramref name="quantile"/> (0.5, 0.99) in milliseconds, or null before the first.</summary>
    public double? AuthorizePercentile(double quantile) => AuthorizePercentiles(quantile)[0];

    /// <summary>The authorize latencies at each of <paramref name="quantiles"/> (nearest rank), from one sorted copy.</summary>
    public double?[] AuthorizePercentiles(params double[] quantiles)
    {
        ArgumentNullException.ThrowIfNull(quantiles);
        double[] samples;
        lock (_latencyLock)
        {
            samples = [.. _authorizeMilliseconds];
        }

        Array.Sort(samples);
        return [.. quantiles.Select(q => samples.Length == 0 ? (double?)null : samples[Math.Clamp((int)Math.Ceiling(q * samples.Length) - 1, 0, samples.Length - 1)])];
    }
}

/// <summary>An alert the platform raised on one of the run's accounts.</summary>
public sealed record AlertSeen(string AlertId, string AccountId, string Type, DateTimeOffset RaisedAt, string Message);
