using System.Text.Json.Serialization;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Cdrs;

/// <summary>A call detail record as the switch sent it, validated. <see cref="CdrId"/> is the idempotency key.</summary>
public sealed record Cdr(
    string CdrId,
    string AccountId,
    string CallingNumber,
    string CalledNumber,
    DateTimeOffset StartTime,
    int DurationSeconds,
    Disposition Disposition,
    string? SessionId)
{
    [JsonIgnore]
    public bool Answered => Disposition == Disposition.Answered;
}

/// <summary>A record that could not be read: where it was, what it said, and why it was refused.</summary>
public sealed record CdrRejection(int Line, string? CdrId, string? AccountId, string Reason, string Raw);

/// <summary>
/// One record of a CDR file or batch: a CDR, or its rejection. <see cref="Raw"/> is the text it came from
/// (a reference to the line already read, not a copy), kept so that a CDR refused later is quarantined as sent.
/// </summary>
public readonly record struct CdrRecord(int Line, Cdr? Cdr, CdrRejection? Rejection, string? Raw = null)
{
    public static CdrRecord Accepted(int line, Cdr cdr, string raw) => new(line, cdr, null, raw);

    public static CdrRecord Rejected(CdrRejection rejection) => new(rejection.Line, null, rejection, rejection.Raw);
}
