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

public sealed record GrantResponse(
    string SessionId,
    string ResultCode,
    int GrantedSeconds,
    int ValiditySeconds,
    bool FinalUnit,
    decimal ReservedAmount,
    decimal RatePerMinute,
    string Currency,
    decimal? AvailableAfter);

public sealed record TerminateResponse(
    string SessionId,
    string ResultCode,
    int TotalSeconds,
    int BilledSeconds,
    decimal Charge,
    string Currency,
    decimal Balance,
    int OverrunSeconds);
