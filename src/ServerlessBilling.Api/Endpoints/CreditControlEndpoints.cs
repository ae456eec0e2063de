using Microsoft.AspNetCore.Http;
using ServerlessBilling.Api.Contracts;
using ServerlessBilling.Api.Http;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Validation;

namespace ServerlessBilling.Api.Endpoints;

/// <summary>Handlers of the switch-facing endpoints: validate, call the core once, map the answer.</summary>
public static class CreditControlEndpoints
{
    public static async Task<IResult> Authorize(HttpRequest http, CreditControlService service, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestReader.ReadJsonAsync<AuthorizeBody>(http, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if ((RequestReader.CheckId(body!.SessionId, "sessionId") ?? RequestReader.CheckId(body.AccountId, "accountId")) is { } badId)
        {
            return badId;
        }

        if (string.IsNullOrWhiteSpace(body.CalledNumber))
        {
            return Problems.BadRequest("calledNumber is required");
        }

        if (body.RequestedSeconds is < 0)
        {
            return Problems.BadRequest("requestedSeconds must not be negative");
        }

        var request = new AuthorizeRequest(body.SessionId!, body.AccountId!, body.CallingNumber ?? "", body.CalledNumber, body.StartTime, body.RequestedSeconds);
        var outcome = await service.AuthorizeAsync(request, cancellationToken);
        return outcome.Error is { } error ? Problems.From(error) : Results.Ok(ToResponse(outcome.Answer!));
    }

    public static async Task<IResult> Interim(string sessionId, HttpRequest http, CreditControlService service, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestReader.ReadJsonAsync<InterimBody>(http, cancellationToken);
        if ((problem ?? RequestReader.CheckId(sessionId, "sessionId") ?? CheckReport(body!.RequestNumber, body.UsedSeconds)) is { } bad)
        {
            return bad;
        }

        if (body!.RequestedSeconds is < 0)
        {
            return Problems.BadRequest("requestedSeconds must not be negative");
        }

        var outcome = await service.InterimAsync(new InterimRequest(sessionId, body.RequestNumber!.Value, body.UsedSeconds!.Value, body.RequestedSeconds), cancellationToken);
        return outcome.Error is { } error ? Problems.From(error) : Results.Ok(ToResponse(outcome.Answer!));
    }

    public static async Task<IResult> Terminate(string sessionId, HttpRequest http, CreditControlService service, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestReader.ReadJsonAsync<TerminateBody>(http, cancellationToken);
        if ((problem ?? RequestReader.CheckId(sessionId, "sessionId") ?? CheckReport(body!.RequestNumber, body.UsedSeconds)) is { } bad)
        {
            return bad;
        }

        var outcome = await service.TerminateAsync(new TerminateRequest(sessionId, body!.RequestNumber!.Value, body.UsedSeconds!.Value), cancellationToken);
        if (outcome.Error is { } error)
        {
            return Problems.From(error);
        }

        var a = outcome.Answer!;
        return Results.Ok(new TerminateResponse(a.SessionId, a.ResultCode.ToWire(), a.TotalSeconds, a.BilledSeconds, a.Charge, a.Currency, a.Balance, a.OverrunSeconds));
    }

    private static IResult? CheckReport(int? requestNumber, int? usedSeconds) => (requestNumber, usedSeconds) switch
    {
        (null, _) => Problems.BadRequest("requestNumber is required"),
        (< 1, _) => Problems.BadRequest("requestNumber must be 1 or more (the authorize is request 0)"),
        (_, null) => Problems.BadRequest("usedSeconds is required"),
        (_, { } used) when Bounds.CheckReportSeconds(used, "usedSeconds") is { } badUse => Problems.BadRequest(badUse),
        _ => null,
    };

    private static GrantResponse ToResponse(GrantAnswer a) =>
        new(a.SessionId, a.ResultCode.ToWire(), a.GrantedSeconds, a.ValiditySeconds, a.FinalUnit, a.ReservedAmount, a.RatePerMinute, a.Currency, a.AvailableAfter);
}
