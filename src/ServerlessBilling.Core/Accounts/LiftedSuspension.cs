namespace ServerlessBilling.Core.Accounts;

/// <summary>A suspension a resume lifted: when it began and why, kept for monitoring to alert on once.</summary>
public sealed record LiftedSuspension(DateTimeOffset At, string? Reason)
{
    /// <summary><paramref name="earlier"/> with <paramref name="lifted"/> after them, the oldest dropped beyond <paramref name="kept"/>.</summary>
    internal static IReadOnlyList<LiftedSuspension> Append(IReadOnlyList<LiftedSuspension>? earlier, LiftedSuspension lifted, int kept)
    {
        var count = Math.Min(earlier?.Count ?? 0, kept - 1);
        var next = new LiftedSuspension[count + 1];
        for (var i = 0; i < count; i++)
        {
            next[i] = earlier![earlier.Count - count + i];
        }

        next[count] = lifted;
        return next;
    }
}
