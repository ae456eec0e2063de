using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessBilling.Core.CreditControl;

/// <summary>
/// Business outcomes of credit control (the <c>resultCode</c> of the answers). A denial is an answer, not an error.
/// On the wire each is its name in upper snake case (<see cref="ResultCodeNames.ToWire"/>); stored documents keep
/// their own enum form, because a converter in the serializer options wins over this type's.
/// </summary>
[JsonConverter(typeof(ResultCodeNames.Json))]
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

    /// <summary>The wire form in JSON: the same names as <see cref="ToWire"/>.</summary>
    public sealed class Json() : JsonStringEnumConverter<ResultCode>(JsonNamingPolicy.SnakeCaseUpper, allowIntegerValues: false);
}

/// <summary>
/// The answer to authorize and interim: a grant (possibly zero) and the account's position after it.
/// <see cref="Reason"/> (<see cref="DenialReasons"/>) says which bound of the account refused it when its result code
/// alone does not tell; it is left out of the JSON otherwise, so every other answer (and every stored one) is as it was.
/// </summary>
public sealed record GrantAnswer(
    string SessionId,
    ResultCode ResultCode,
    int GrantedSeconds,
    int ValiditySeconds,
    bool FinalUnit,
    decimal ReservedAmount,
    decimal RatePerMinute,
    string Currency,
    decimal? AvailableAfter,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null);

/// <summary>
/// Why an authorize was refused <c>CREDIT_LIMIT_REACHED</c> with credit left: the account holds the most open sessions
/// it may (<see cref="CreditControlOptions.MaxOpenSessionsPerAccount"/>), by their count or by their size in its
/// document. A switch ends calls or waits for lapsed ones to go; a top-up does not help. A refusal for credit has none.
/// </summary>
public static class DenialReasons
{
    public const string OpenSessions = "OPEN_SESSIONS";

    public const string OpenSessionsSize = "OPEN_SESSIONS_SIZE";
}

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
