using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBilling.Api;

namespace ServerlessBilling.Functions.Http;

/// <summary>
/// The switch-facing routes of <see cref="ApiRoutes"/> (role <see cref="ApiRole.Switch"/>). Function level: a switch
/// calls with a function or host key; those keys do not open the admin functions, which need the master key.
/// </summary>
public sealed class SwitchFunctions(ApiRouteInvoker api)
{
    [Function(ApiRoutes.Names.Authorize)]
    public Task<IResult> Authorize(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Post, Route = ApiRoutes.Templates.Authorize)] HttpRequest request) =>
        api.InvokeAsync(ApiRoutes.Names.Authorize, request);

    [Function(ApiRoutes.Names.Interim)]
    public Task<IResult> Interim(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Post, Route = ApiRoutes.Templates.Interim)] HttpRequest request, string sessionId) =>
        api.InvokeAsync(ApiRoutes.Names.Interim, request, (nameof(sessionId), sessionId));

    [Function(ApiRoutes.Names.Terminate)]
    public Task<IResult> Terminate(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Post, Route = ApiRoutes.Templates.Terminate)] HttpRequest request, string sessionId) =>
        api.InvokeAsync(ApiRoutes.Names.Terminate, request, (nameof(sessionId), sessionId));

    [Function(ApiRoutes.Names.Balance)]
    public Task<IResult> Balance(
        [HttpTrigger(AuthorizationLevel.Function, ApiRoutes.Get, Route = ApiRoutes.Templates.Balance)] HttpRequest request, string accountId) =>
        api.InvokeAsync(ApiRoutes.Names.Balance, request, (nameof(accountId), accountId));
}
