namespace ServerlessBilling.Api.Contracts;

public sealed record QuarantinedResponse(string? CdrId, int Line, string Reason);

/// <summary>
/// The answer to a CDR batch: <c>received = accepted + duplicates + quarantinedCount</c>; <see cref="Quarantined"/>
/// lists the first <see cref="Endpoints.CdrEndpoints.MaxQuarantinedListed"/> with their reasons (all are in the quarantine).
/// </summary>
public sealed record IngestResponse(int Received, int Accepted, int Duplicates, int QuarantinedCount, IReadOnlyList<QuarantinedResponse> Quarantined);

public sealed record UsageResponse(
    string CdrId,
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
    string SettledBy,
    string? Note);

public sealed record UsageListResponse(string AccountId, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<UsageResponse> Items);

public sealed record QuarantineEntryResponse(string QuarantineId, string? AccountId, string? CdrId, int Line, string Reason, string Raw, string Source, DateTimeOffset ReceivedAt);

public sealed record QuarantineListResponse(IReadOnlyList<QuarantineEntryResponse> Items);
