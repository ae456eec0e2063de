using Microsoft.AspNetCore.Http;
using ServerlessBilling.Api.Contracts;
using ServerlessBilling.Api.Http;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Api.Endpoints;

/// <summary>Alerts raised by spend monitoring, newest first.</summary>
public static class AlertEndpoints
{
    public static async Task<IResult> List(HttpRequest http, IAlertStore alerts, CancellationToken cancellationToken)
    {
        if (RequestReader.CheckAccountFilter(http, out var accountId) is { } bad)
        {
            return bad;
        }

        if (!RequestReader.TryLimit(http.Query["limit"], out var limit))
        {
            return Problems.BadRequest($"limit must be a whole number from 1 to {RequestReader.MaxListLimit}");
        }

        var list = await alerts.ListAsync(accountId, limit, cancellationToken);
        return Results.Ok(new AlertListResponse(list.Select(ToResponse).ToList()));
    }

    public static AlertResponse ToResponse(Alert a) =>
        new(a.AlertId, a.AccountId, a.Type.ToWire(), a.Type.Severity(), a.Threshold, a.PeriodSpend, a.CreditLimit, a.Currency, a.RaisedAt, a.Message);
}
