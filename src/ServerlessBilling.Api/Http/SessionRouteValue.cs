using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ServerlessBilling.Api.Http;

/// <summary>
/// The session id of <c>sessions/{sessionId}/…</c>, which a switch percent-encodes (a SIP Call-ID may hold
/// <c>/ ? \ %</c>). ASP.NET Core decodes a path except <c>%2F</c>, so a route value that still holds a <c>%</c> is
/// ambiguous (<c>%2F</c> may have been a slash or the three characters); the raw request target is not, and
/// decides.
/// </summary>
public static class SessionRouteValue
{
    public static string Decode(HttpRequest request, string routeValue)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (routeValue is null || !routeValue.Contains('%', StringComparison.Ordinal))
        {
            return routeValue!;
        }

        var raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        return raw is null ? routeValue : FromTarget(raw) ?? routeValue;
    }

    /// <summary>The decoded segment before the last of <c>…/sessions/{sessionId}/{operation}</c>, or null when the target has no such shape.</summary>
    public static string? FromTarget(string rawTarget)
    {
        ArgumentNullException.ThrowIfNull(rawTarget);
        var path = rawTarget.AsSpan();
        var query = path.IndexOf('?');
        if (query >= 0)
        {
            path = path[..query];
        }

        path = path.TrimEnd('/');
        var operation = path.LastIndexOf('/');
        if (operation <= 0)
        {
            return null;
        }

        var session = path[..operation].LastIndexOf('/');
        if (session < 0 || !path[..session].EndsWith("/sessions", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return Uri.UnescapeDataString(path[(session + 1)..operation].ToString());
    }
}
