using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServerlessBilling.Api;
using ServerlessBilling.Api.Contracts;
using ServerlessBilling.Api.Http;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.LoadBench.Scenarios;

namespace ServerlessBilling.LoadBench.All;

/// <summary>
/// Bench-only endpoints of the child host (never the product's) that take the HTTP authorize+terminate apart layer by
/// layer, each under /loadbench with the credit-control routes' shape (authorize, sessions/{id}/terminate):
/// <list type="bullet">
/// <item><c>/loadbench/noop-api</c>: the echo with the routes' <see cref="ApiRoute"/> metadata, so that a host with keys
/// and a rate limit checks the key and takes a token for it as for a real route (without keys it is the echo).</item>
/// <item><see cref="ShapedBase"/>: the pairs' URLs and bodies, the body read and dropped, a canned answer of the real
/// answers' size: what the sizes and the route parameter cost.</item>
/// <item><see cref="JsonBase"/>: the same with the real handlers' parameters, the body read as the API reads it and an
/// answer written as the API writes it: what binding and JSON cost, without credit control.</item>
/// </list>
/// </summary>
internal static class PairsBaselines
{
    public const string NoopApiPath = "/loadbench/noop-api";
    public const string ShapedBase = "/loadbench/shaped";
    public const string JsonBase = "/loadbench/json";

    // The size of the real answers of the bench's pairs (a grant of 300 s at 0.24/min, a charge of 42 s).
    private const string ShapedGrant = """{"sessionId":"t-00-000000","resultCode":"SUCCESS","grantedSeconds":300,"validitySeconds":300,"finalUnit":false,"reservedAmount":1.2,"ratePerMinute":0.24,"currency":"GBP","availableAfter":98.8}""";
    private const string ShapedCharge = """{"sessionId":"t-00-000000","resultCode":"SUCCESS","totalSeconds":42,"billedSeconds":42,"charge":0.168,"currency":"GBP","balance":99.832,"overrunSeconds":0}""";

    public static void Map(WebApplication app)
    {
        Delegate noop = async (HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            return Results.Text("""{"sessionId":"noop","resultCode":"SUCCESS"}""", "application/json");
        };
        app.MapPost(HttpCalls.NoopPath, noop);
        app.MapPost(NoopApiPath, noop).WithMetadata(new ApiRoute("LoadBenchNoop", ApiRoutes.Post, NoopApiPath, ApiRole.Switch, noop));

        app.MapPost(ShapedBase + "/authorize", async (HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            return Results.Text(ShapedGrant, "application/json");
        });
        app.MapPost(ShapedBase + "/sessions/{sessionId}/terminate", async (string sessionId, HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            return Results.Text(ShapedCharge, "application/json");
        });

        app.MapPost(JsonBase + "/authorize", JsonAuthorize);
        app.MapPost(JsonBase + "/sessions/{sessionId}/terminate", JsonTerminate);
    }

    private static async Task<IResult> JsonAuthorize(HttpRequest http, CreditControlService service, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestReader.ReadJsonAsync<AuthorizeBody>(http, cancellationToken);
        return problem ?? JsonOk.Of(new GrantAnswer(body!.SessionId!, ResultCode.Success, body.RequestedSeconds ?? 300, 300, false, 1.2m, 0.24m, "GBP", 98.8m));
    }

    private static async Task<IResult> JsonTerminate(string sessionId, HttpRequest http, CreditControlService service, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        sessionId = SessionRouteValue.Decode(http, sessionId);
        var (body, problem) = await RequestReader.ReadJsonAsync<TerminateBody>(http, cancellationToken);
        return problem ?? JsonOk.Of(new TerminateAnswer(sessionId, ResultCode.Success, body!.UsedSeconds ?? 0, body.UsedSeconds ?? 0, 0.168m, "GBP", 99.832m));
    }
}
