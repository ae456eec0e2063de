using System.Net;
using ServerlessBilling.Local.Hosting.OpenApi;

namespace ServerlessBilling.Local.Hosting;

/// <summary><c>GET /</c>: where to go from here (until a dashboard takes this path).</summary>
public static class HomePage
{
    public static IEndpointRouteBuilder MapHomePage(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", (HttpRequest request) => Results.Content(Html(request), "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        return routes;
    }

    private static string Html(HttpRequest request)
    {
        var links = new (string Path, string What)[]
        {
            (LocalOpenApi.ReferencePath, "API reference (interactive): every route, its request and answer, with examples"),
            (LocalOpenApi.DocumentPath, "OpenAPI document"),
            (LocalHealth.LivePath, "liveness: the process serves requests"),
            (LocalHealth.ReadyPath, "readiness: the store answers"),
            (LocalMetrics.ScrapePath, "metrics (Prometheus)"),
            ("/api/accounts/smb/balance", "a demo account's balance"),
        };
        var items = string.Concat(links.Select(l => $"<li><a href=\"{WebUtility.HtmlEncode(l.Path)}\">{WebUtility.HtmlEncode(l.Path)}</a> — {WebUtility.HtmlEncode(l.What)}</li>"));
        return $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>ServerlessBilling</title></head>
            <body><h1>ServerlessBilling local host</h1><p>Serving on {WebUtility.HtmlEncode($"{request.Scheme}://{request.Host}")}. The HTTP API is under /api.</p>
            <ul>{items}</ul><p>Documentation: docs/ in the repository.</p></body></html>
            """;
    }
}
