using Microsoft.Extensions.FileProviders;

namespace ServerlessBilling.Local.Hosting;

/// <summary>
/// The dashboard at <c>/</c>: plain HTML, CSS and JS embedded in this assembly (the Dashboard folder). The page reads
/// only the public HTTP API, so the same files can be hosted as static files beside any deployment; its config.js
/// names the API base.
/// </summary>
public static class DashboardFiles
{
    /// <summary>The prefix of the embedded resource names: the root namespace and the folder.</summary>
    public const string ResourcePrefix = "ServerlessBilling.Local.Dashboard";

    /// <summary>
    /// Serves the files for GET and HEAD requests that no endpoint took, so the API's routes never reach the file
    /// middleware at all (one check per API request instead of two middlewares). After the access middleware: a
    /// keyless host still answers loopback callers only.
    /// </summary>
    public static IApplicationBuilder UseDashboard(this IApplicationBuilder app)
    {
        var files = new EmbeddedFileProvider(typeof(DashboardFiles).Assembly, ResourcePrefix);
        return app.UseWhen(MayBeAFile, branch =>
        {
            branch.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            branch.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                // Revalidate each time (the ETag makes it cheap), so that a new version of the page is never stale.
                OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache",
            });
        });
    }

    /// <summary>What the file middlewares would look at: a GET or HEAD that matched no endpoint.</summary>
    public static bool MayBeAFile(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetEndpoint() is null && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method));
    }
}
