using Microsoft.Extensions.Logging;

namespace ServerlessBilling.Core.Ingestion;

/// <summary>
/// What the hosts log of a batch's quarantined CDRs: one warning per batch (how many, and the first reason as an
/// example), each line at Debug only. A warning a line cost the hot path dearly on a bad feed; every line is in the
/// quarantine store, with its reason and its original text, anyway.
/// </summary>
public static partial class QuarantineLog
{
    public static void Write(ILogger logger, string source, IngestResult result)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(result);
        if (result.Quarantined.Count == 0)
        {
            return;
        }

        var first = result.Quarantined[0];
        LogSummary(logger, result.Quarantined.Count, result.Received, source, first.Line, first.CdrId, first.Reason);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            foreach (var item in result.Quarantined)
            {
                LogLine(logger, source, item.Line, item.CdrId, item.Reason);
            }
        }
    }

    // Reasons name the field at fault, not the whole line, so no phone number reaches the log.
    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Quarantined} of {Received} CDRs from {Source} quarantined (the first: line {Line}, id {CdrId}: {Reason}); all are in the quarantine store")]
    private static partial void LogSummary(ILogger logger, int quarantined, int received, string source, int line, string? cdrId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Quarantined CDR from {Source}, line {Line} (id {CdrId}): {Reason}")]
    private static partial void LogLine(ILogger logger, string source, int line, string? cdrId, string reason);
}
