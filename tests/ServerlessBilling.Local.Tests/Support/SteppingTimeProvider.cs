namespace ServerlessBilling.Local.Tests.Support;

/// <summary>A clock whose timestamp moves forward by <see cref="Step"/> each time it is read.</summary>
internal sealed class SteppingTimeProvider(TimeSpan step) : TimeProvider
{
    private long _ticks;

    public TimeSpan Step { get; } = step;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks += Step.Ticks;
}
