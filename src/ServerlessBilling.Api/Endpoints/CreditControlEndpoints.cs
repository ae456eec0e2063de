using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServerlessBilling.Api.Contracts;
using ServerlessBilling.Api.Http;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Validation;
using ServerlessBilling.Core.Diagnostics;
using ServerlessBilling.Core;

namespace ServerlessBilling.Api.Endpoints;

/// <summary>Handlers of the switch-facing endpoints: validate, call the core once, map the answer.</summary>
public static partial class CreditControlEndpoints
{
    private static readonly CategoryLogger Log = new("ServerlessBilling.CreditControl");

    public static async Task<IResult> Authorize(HttpRequest http, CreditControlService service, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (body, problem) = await RequestReader.ReadJsonAsync<AuthorizeBody>(http, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if ((RequestReader.CheckSessionId(body!.SessionId, "sessionId") ?? RequestReader.CheckId(body.AccountId, "accountId")) is { } badId)
        {
            return badId;
        }

        if (string.IsNullOrWhiteSpace(body.CalledNumber))
        {
            return Problems.BadRequest("calledNumber is required");
        }

        // The session keeps both numbers (its fingerprint) in the account's document and its record: bounded as a CDR's.
        // A called number is rated trimmed, so its length is bounded before: white space around it is kept as sent.
        if (body.CalledNumber.Length > CdrValidation.MaxCallingNumberLength)
        {
            return Problems.BadRequest($"calledNumber is longer than {CdrValidation.MaxCallingNumberLength} characters");
        }

        if (body.CallingNumber is { } calling && CdrValidation.CheckCallingNumber(calling, "callingNumber") is { } badCalling)
        {
            return Problems.BadRequest(badCalling);
        }

        if (body.RequestedSeconds is < 0)
        {
            return Problems.BadRequest("requestedSeconds must not be negative");
        }

        var request = new AuthorizeRequest(body.SessionId!, body.AccountId!, body.CallingNumber ?? "", body.CalledNumber, body.StartTime, body.RequestedSeconds);
        var outcome = await service.AuthorizeAsync(request, cancellationToken);
        var result = Result(outcome.Answer?.ResultCode, outcome.Error);
        BillingMetrics.AuthorizeAnswered(Stopwatch.GetElapsedTime(started), result);
        BillingMetrics.CreditControlAnswered("authorize", result);
        if (outcome.Answer is { } answer)
        {
            LogGrant(Log.For(loggers), "authorize", answer);
        }

        return outcome.Error is { } error ? Problems.From(error) : JsonOk.Of(outcome.Answer!);
    }

    public static async Task<IResult> Interim(string sessionId, HttpRequest http, CreditControlService service, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        sessionId = SessionRouteValue.Decode(http, sessionId);
        var (body, problem) = await RequestReader.ReadJsonAsync<InterimBody>(http, cancellationToken);
        if ((problem ?? RequestReader.CheckSessionId(sessionId, "sessionId") ?? CheckReport(body!.RequestNumber, body.UsedSeconds)) is { } bad)
        {
            return bad;
        }

        if (body!.RequestedSeconds is < 0)
        {
            return Problems.BadRequest("requestedSeconds must not be negative");
        }

        var outcome = await service.InterimAsync(new InterimRequest(sessionId, body.RequestNumber!.Value, body.UsedSeconds!.Value, body.RequestedSeconds), cancellationToken);
        BillingMetrics.CreditControlAnswered("interim", Result(outcome.Answer?.ResultCode, outcome.Error));
        if (outcome.Answer is { } answer)
        {
            LogGrant(Log.For(loggers), "interim", answer);
        }

        return outcome.Error is { } error ? Problems.From(error) : JsonOk.Of(outcome.Answer!);
    }

    public static async Task<IResult> Terminate(string sessionId, HttpRequest http, CreditControlService service, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        sessionId = SessionRouteValue.Decode(http, sessionId);
        var (body, problem) = await RequestReader.ReadJsonAsync<TerminateBody>(http, cancellationToken);
        if ((problem ?? RequestReader.CheckSessionId(sessionId, "sessionId") ?? CheckReport(body!.RequestNumber, body.UsedSeconds)) is { } bad)
        {
            return bad;
        }

        var outcome = await service.TerminateAsync(new TerminateRequest(sessionId, body!.RequestNumber!.Value, body.UsedSeconds!.Value), cancellationToken);
        BillingMetrics.CreditControlAnswered("terminate", Result(outcome.Answer?.ResultCode, outcome.Error));
        if (outcome.Error is { } error)
        {
            return Problems.From(error);
        }

        var a = outcome.Answer!;
        LogCharge(Log.For(loggers), a.SessionId, a.TotalSeconds, a.BilledSeconds, a.Charge, a.Currency);
        return JsonOk.Of(a);
    }

    private static IResult? CheckReport(int? requestNumber, int? usedSeconds) => (requestNumber, usedSeconds) switch
    {
        (null, _) => Problems.BadRequest("requestNumber is required"),
        (< 1, _) => Problems.BadRequest("requestNumber must be 1 or more (the authorize is request 0)"),
        (_, null) => Problems.BadRequest("usedSeconds is required"),
        (_, { } used) when Bounds.CheckReportSeconds(used, "usedSeconds") is { } badUse => Problems.BadRequest(badUse),
        _ => null,
    };

    /// <summary>The metric tag of an answer: its result code, or the kind of error ("conflict", "notfound", "invalid").</summary>
    private static string Result(ResultCode? code, OutcomeError? error) =>
        code is { } c ? c.ToWire() : error?.Kind.ToString().ToLowerInvariant() ?? "none";

    private static void LogGrant(ILogger logger, string operation, GrantAnswer answer)
    {
        if (answer.ResultCode == ResultCode.Success)
        {
            LogGranted(logger, operation, answer.SessionId, answer.GrantedSeconds, answer.ReservedAmount, answer.Currency, answer.FinalUnit);
        }
        else
        {
            LogDenied(logger, operation, answer.SessionId, answer.ResultCode.ToWire());
        }
    }

    // Grants and charges are the hot path: Debug, so that they cost nothing unless asked for. Denials are rarer and matter.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Granted {Operation} {SessionId}: {GrantedSeconds} s, reserved {Reserved} {Currency}, final unit {FinalUnit}")]
    private static partial void LogGranted(ILogger logger, string operation, string sessionId, int grantedSeconds, decimal reserved, string currency, bool finalUnit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Denied {Operation} {SessionId}: {ResultCode}")]
    private static partial void LogDenied(ILogger logger, string operation, string sessionId, string resultCode);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Charged {SessionId}: {TotalSeconds} s used, {BilledSeconds} s billed, {Charge} {Currency}")]
    private static partial void LogCharge(ILogger logger, string sessionId, int totalSeconds, int billedSeconds, decimal charge, string currency);
}
