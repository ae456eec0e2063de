using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServerlessBilling.Api.Http;

namespace ServerlessBilling.Api.Access;

/// <summary>
/// Routes of the route table, and other endpoints marked <see cref="IKeyedEndpoint"/> (the local host's metrics), need
/// a key of their role; everything else (health, OpenAPI, pages) is open, so that a new page needs no change here.
/// Without keys the host is loopback-only: every loopback caller has every role, and a connection that arrived on
/// another address is refused whatever the route. Keys are never logged.
/// </summary>
public sealed partial class ApiKeyMiddleware(RequestDelegate next, ApiKeyRing keys, ILogger<ApiKeyMiddleware> logger)
{
    /// <summary>The header Azure Functions reads its keys from; <c>Authorization: Bearer KEY</c> is the other form.</summary>
    public const string KeyHeader = "x-functions-key";

    private const string BearerPrefix = "Bearer ";

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!keys.HasKeys)
        {
            if (context.Connection.LocalIpAddress is { } local && !Loopback.IsLoopback(local))
            {
                LogRefused(logger, context.Request.Method, context.Request.Path, "keyless host reached off loopback");
                return Problems.Problem(StatusCodes.Status403Forbidden, "Forbidden",
                    "no API keys are configured on this host, so it answers loopback callers only").ExecuteAsync(context);
            }

            // Only a route that would need a key has a caller (and so a rate-limit bucket): health and the pages stay
            // unthrottled however busy the API is, as on a host with keys.
            return IsKeyed(context) ? Continue(context, ApiCaller.Loopback) : next(context);
        }

        if (context.GetEndpoint()?.Metadata.GetMetadata<IKeyedEndpoint>() is not { } route)
        {
            return next(context);
        }

        if (PresentedKey(context.Request) is not { } presented)
        {
            return Unauthorized(context, "missing key",
                $"an API key is required: send it in the {KeyHeader} header or as Authorization: Bearer KEY");
        }

        if (keys.Find(presented) is not { } caller)
        {
            return Unauthorized(context, "unknown key", "the API key is not valid");
        }

        if (!caller.May(route.Role))
        {
            LogRefused(logger, context.Request.Method, context.Request.Path, $"{caller.Id} on an {route.Role} route");
            return Problems.Problem(StatusCodes.Status403Forbidden, "Forbidden",
                $"{route.Name} needs an admin key; a switch key may call authorize, interim, terminate and balance").ExecuteAsync(context);
        }

        return Continue(context, caller);
    }

    /// <summary>The key of the <see cref="KeyHeader"/> header, else of a bearer Authorization header.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers[KeyHeader].ToString();
        if (header.Length > 0)
        {
            return header.Trim();
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) && authorization.Length > BearerPrefix.Length
            ? authorization[BearerPrefix.Length..].Trim()
            : null;
    }

    private static bool IsKeyed(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<IKeyedEndpoint>() is not null;

    private Task Continue(HttpContext context, ApiCaller caller)
    {
        context.Features.Set(caller);
        return next(context);
    }

    private Task Unauthorized(HttpContext context, string reason, string detail)
    {
        LogRefused(logger, context.Request.Method, context.Request.Path, reason);
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail).ExecuteAsync(context);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused {Method} {Path}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, PathString path, string reason);
}
