using Microsoft.Extensions.Logging;

namespace ServerlessBilling.Core.Storage.InMemory;

/// <summary>
/// What the memory store logs of its bounds: one warning when each bound is first reached, so that an operator knows
/// from when listings and replays no longer see everything; nothing per dropped item, which would cost the hot path.
/// </summary>
internal static partial class MemoryStoreLog
{
    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Memory store: {Max} usage records kept (Memory:MaxUsageRecords); from now on the oldest recorded is dropped for each new one and no longer listed")]
    public static partial void UsageRecordsDropped(ILogger logger, int max);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Memory store: {Max} closed sessions kept (Memory:MaxClosedSessions); from now on the longest closed is forgotten for each new one")]
    public static partial void ClosedSessionsForgotten(ILogger logger, int max);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Memory store: session ids not written for {Retention} are now being forgotten (Memory:SessionHistoryRetention)")]
    public static partial void SessionsExpired(ILogger logger, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Memory store: {Max} quarantined CDRs kept (Memory:MaxQuarantineRecords); from now on the oldest is dropped for each new one")]
    public static partial void QuarantineDropped(ILogger logger, int max);
}
