namespace ServerlessBilling.Functions.Tests;

/// <summary>A test's clock that notes the due time of every timer started on it (a deadline starts one).</summary>
public sealed class TimerRecordingClock(TimeProvider inner) : TimeProvider
{
    private readonly List<TimeSpan> _dueTimes = [];

    /// <summary>The due times of the timers started since the last <see cref="Clear"/>, in order.</summary>
    public IReadOnlyList<TimeSpan> DueTimes
    {
        get
        {
            lock (_dueTimes)
            {
                return [.. _dueTimes];
            }
        }
    }

    public void Clear()
    {
        lock (_dueTimes)
        {
            _dueTimes.Clear();
        }
    }

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_dueTimes)
        {
            _dueTimes.Add(dueTime);
        }

        return inner.CreateTimer(callback, state, dueTime, period);
    }
}
