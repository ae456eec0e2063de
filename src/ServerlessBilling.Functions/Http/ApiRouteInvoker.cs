using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using ServerlessBilling.Api;

namespace ServerlessBilling.Functions.Http;

/// <summary>
/// Runs the handlers of <see cref="ApiRoutes"/> for the HTTP functions through the same request-delegate factory that
/// minimal APIs use in the local host, so that binding, JSON settings and problem answers are the same code path.
/// </summary>
public sealed class ApiRouteInvoker
{
    // Built on first use, each on its own: a route whose services this host lacks fails alone (as a 500 problem)
    // instead of taking every HTTP function down at start.
    private readonly FrozenDictionary<string, Lazy<RequestDelegate>> _routes;

    public ApiRouteInvoker(IServiceProvider services) =>
        _routes = ApiRoutes.All.ToFrozenDictionary(
            r => r.Name,
            r => new Lazy<RequestDelegate>(() => Build(r, services)));

    /// <summary>The route's handler with the local host's filters (its deadline: <see cref="ApiDeadline"/>).</summary>
    private static RequestDelegate Build(ApiRoute route, IServiceProvider services)
    {
        var pattern = RoutePatternFactory.Parse(route.Template);
        var endpoint = new RouteEndpointBuilder(requestDelegate: null, pattern, order: 0) { ApplicationServices = services };
        ApiDeadline.Apply(route, endpoint);
        return RequestDelegateFactory.Create(route.Handler, new RequestDelegateFactoryOptions
        {
            ServiceProvider = services,
            RouteParameterNames = pattern.Parameters.Select(p => p.Name).ToList(),
            EndpointBuilder = endpoint,
        }).RequestDelegate;
    }

    /// <summary>
    /// Writes the answer of route <paramref name="name"/> to the response. Returns an empty result for the worker to
    /// pass on: the answer is already written.
    /// </summary>
    /// <param name="routeValues">The function's route parameters, for the handler's parameters of the same name.</param>
    public Task<IResult> InvokeAsync(string name, HttpRequest request, params ReadOnlySpan<(string Name, string Value)> routeValues)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var (key, value) in routeValues)
        {
            request.RouteValues[key] = value;
        }

        return RunAsync(_routes[name].Value, request.HttpContext);
    }

    private static async Task<IResult> RunAsync(RequestDelegate handler, HttpContext context)
    {
        await handler(context);
        return Results.Empty;
    }
}
