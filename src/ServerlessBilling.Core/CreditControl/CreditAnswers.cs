namespace ServerlessBilling.Core.CreditControl;

/// <summary>Business outcomes of credit control (API.md resultCode). A denial is an answer, not an error.</summary>
public enum ResultCode
{
    Success,
    CreditLimitReached,
    AccountSuspended,
    AccountNotFound,
    DestinationNotRated,
}

public static class ResultCodeNames
{
    public static string ToWire(this ResultCode code) => code switch
    {
        ResultCode.Success => "SUCCESS",
        ResultCode.CreditLimitReached => "CREDIT_LIMIT_REACHED",
        ResultCode.AccountSuspended => "ACCOUNT_SUSPENDED",
        ResultCode.AccountNotFound => "ACCOUNT_NOT_FOUND",
        ResultCode.DestinationNotRated => "DESTINATION_NOT_RATED",
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };
}

/// <summary>The answer to authorize and interim: a grant (possibly zero) and the account's position after it.</summary>
public sealed record GrantAnswer(
    string SessionId,
    ResultCode ResultCode,
    int GrantedSeconds,
    int ValiditySeconds,
    bool FinalUnit,
    decimal ReservedAmount,
    decimal RatePerMinute,
    string Currency,
    decimal? AvailableAfter);

/// <summary>
/// The answer to terminate: the whole call's rating and the balance after it. <see cref="TotalSeconds"/> is what the
/// switch reported; <see cref="OverrunSeconds"/> how much of it went beyond the grants (a pre-paid account is charged
/// only what its credit covered, so then <see cref="BilledSeconds"/> rates less than the total).
/// </summary>
public sealed record TerminateAnswer(
    string SessionId,
    ResultCode ResultCode,
    int TotalSeconds,
    int BilledSeconds,
    decimal Charge,
    string Currency,
    decimal Balance,
    int OverrunSeconds = 0);

/// <summary>An answer, or a reason the request conflicts with what is stored (HTTP 409) or names nothing (HTTP 404).</summary>
public readonly record struct Outcome<T>(T? Answer, OutcomeError? Error)
    where T : class
{
    public static implicit operator Outcome<T>(T answer) => new(answer, null);

    public static implicit operator Outcome<T>(OutcomeError error) => new(null, error);
}

public enum OutcomeErrorKind
{
    Conflict,
    NotFound,
    Invalid,
}

public sealed record OutcomeError(OutcomeErrorKind Kind, string Detail)
{
    public static OutcomeError Conflict(string detail) => new(OutcomeErrorKind.Conflict, detail);

    public static OutcomeError NotFound(string detail) => new(OutcomeErrorKind.NotFound, detail);

    public static OutcomeError Invalid(string detail) => new(OutcomeErrorKind.Invalid, detail);
}
