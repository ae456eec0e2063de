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

        ListCursor? after = null;
        if (http.Query.ContainsKey("continuation") && !PageToken.TryDecodeAlerts(http.Query["continuation"], out after))
        {
            return Problems.BadRequest("continuation is not an alerts token this API handed out; pass the continuation of the previous page unchanged (with the same accountId), or none for the first page");
        }

        var list = await alerts.ListAsync(accountId, limit + 1, after, cancellationToken);
        var page = list.Take(limit).ToList();
        return Results.Ok(new AlertListResponse(page.Select(ToResponse).ToList(), list.Count > limit ? PageToken.EncodeAlerts(ListCursor.After(page[^1])) : null));
    }

    public static AlertResponse ToResponse(Alert a) =>
        new(a.AlertId, a.AccountId, a.Type.ToWire(), a.Type.Severity(), a.Threshold, a.PeriodSpend, a.CreditLimit, a.Currency, a.RaisedAt, a.Message);
}
