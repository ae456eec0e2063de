using System.Text.Json.Serialization;
using ServerlessBilling.Core.Accounts;

namespace ServerlessBilling.Core.Ingestion;

[JsonConverter(typeof(LowerCaseNames<Settlement>))]
public enum Settlement
{
    /// <summary>Charged when its CDR was applied.</summary>
    Cdr,

    /// <summary>Already charged by its credit-control session; the CDR was recorded without a second charge.</summary>
    Session,
}

/// <summary>
/// One rated call, one per CDR, id = the CDR id: created (never upserted), so a second create of the same CDR
/// is recognised as a duplicate. <see cref="Charge"/> is what the CDR rates to; <see cref="SettledBy"/> says
/// whether this CDR moved the money or its session did. The usage listing serves it as it is stored.
/// </summary>
public sealed record UsageRecord(
    string CdrId,
    string AccountId,
    string? SessionId,
    string CalledNumber,
    DateTimeOffset StartTime,
    int DurationSeconds,
    string Disposition,
    string Prefix,
    string Destination,
    int BilledSeconds,
    decimal Charge,
    string Currency,
    string Period,
    Settlement SettledBy,
    string? Note,
    DateTimeOffset AppliedAt)
{
    /// <summary>
    /// Reads records stored before the field was named <c>settledBy</c> (as <c>settlement</c>); never written.
    /// </summary>
    [JsonInclude]
    [JsonPropertyName("settlement")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    internal Settlement? StoredAsSettlement
    {
        get => null;
        init
        {
            if (value is { } settledBy)
            {
                SettledBy = settledBy;
            }
        }
    }
}

/// <summary>A CDR that could not be applied, kept with its raw text and reason. The durable stores keep every one; the memory store keeps the most recent up to its bound.</summary>
public sealed record QuarantineRecord(
    string QuarantineId,
    string? AccountId,
    string? CdrId,
    int Line,
    string Reason,
    string Raw,
    string Source,
    DateTimeOffset ReceivedAt);
