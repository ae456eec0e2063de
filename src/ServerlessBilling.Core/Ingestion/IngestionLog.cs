using Microsoft.Extensions.Logging;

namespace ServerlessBilling.Core.Ingestion;

/// <summary>What ingestion itself logs (quarantined CDRs are <see cref="QuarantineLog"/>'s).</summary>
internal static partial class IngestionLog
{
    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Account {AccountId}: {Unrecorded} applied CDR ids have no usage record ({Held} ids held, at most {Ceiling}); a batch was cut short after its money moved and not delivered again. Deliver it again: its records are written and the ids go")]
    public static partial void AppliedIdsUnrecorded(ILogger logger, string accountId, int unrecorded, int held, int ceiling);
}
