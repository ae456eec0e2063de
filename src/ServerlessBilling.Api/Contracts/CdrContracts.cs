using ServerlessBilling.Core.Ingestion;

namespace ServerlessBilling.Api.Contracts;

public sealed record QuarantinedResponse(string? CdrId, int Line, string Reason);

/// <summary>
/// The answer to a CDR batch: <c>received = accepted + duplicates + quarantinedCount</c>; <see cref="Quarantined"/>
/// lists the first <see cref="Endpoints.CdrEndpoints.MaxQuarantinedListed"/> with their reasons (all are in the quarantine).
/// </summary>
public sealed record IngestResponse(int Received, int Accepted, int Duplicates, int QuarantinedCount, IReadOnlyList<QuarantinedResponse> Quarantined);

/// <summary>A page of usage; <c>Continuation</c> is null on the last page, else passed back for the next one.</summary>
public sealed record UsageListResponse(string AccountId, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<UsageRecord> Items, string? Continuation);

/// <summary>A page of the quarantine; <c>Continuation</c> is null on the last page, else passed back for the next one.</summary>
public sealed record QuarantineListResponse(IReadOnlyList<QuarantineRecord> Items, string? Continuation);
