namespace ServerlessBilling.Api.Contracts;

// Wire shapes of API.md. Fields are nullable so that a missing field is reported as such, not defaulted.

public sealed record AuthorizeBody(
    string? SessionId,
    string? AccountId,
    string? CallingNumber,
    string? CalledNumber,
    DateTimeOffset? StartTime,
    int? RequestedSeconds);

public sealed record InterimBody(int? RequestNumber, int? UsedSeconds, int? RequestedSeconds);

public sealed record TerminateBody(int? RequestNumber, int? UsedSeconds);
