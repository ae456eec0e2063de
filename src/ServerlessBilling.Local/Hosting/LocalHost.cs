using Microsoft.Extensions.Options;
using ServerlessBilling.Api;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Cosmos;

namespace ServerlessBilling.Local.Hosting;

/// <summary>
/// The `serve` command: the HTTP API of API.md, credit control, the expiry sweeper and the daily invoice run in one
/// process, on the store named by Store (see <see cref="StoreSelection"/>): a SQLite file under ./data by default,
/// --Store=memory for tests and demos, or Cosmos DB when Cosmos:Endpoint is set (e.g. --Cosmos:Endpoint=https://127.0.0.1:8081/). Listens on http://127.0.0.1:7071 unless --urls (or ASPNETCORE_URLS) says otherwise.
/// </summary>
public static class LocalHost
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddServerlessBillingApi();
        builder.Services.AddServerlessBillingAccess(builder.Configuration); // keys and limits (Auth:*, Limits:*); loopback only without keys
        builder.Services.AddServerlessBillingCore(builder.Configuration);
        builder.Services.AddSelectedStores(builder.Configuration);

        builder.Services.AddOptions<LocalOptions>().Bind(builder.Configuration.GetSection(LocalOptions.Section));
        builder.Services.AddSingleton<IDocumentSink>(sp => new FolderDocumentSink(
            Path.Combine(builder.Environment.ContentRootPath, sp.GetRequiredService<IOptions<LocalOptions>>().Value.DocumentsPath)));
        builder.Services.AddHostedService<ExpirySweeper>();
        if (builder.Services.Any(d => d.ServiceType == typeof(Core.Monitoring.AccountChangeStream)))
        {
            builder.Services.AddHostedService<MonitoringWorker>();
        }
        else if (builder.Services.Any(d => d.ServiceType == typeof(CosmosMonitoringFeed)))
        {
            builder.Services.AddHostedService<CosmosMonitoringWorker>();
        }

        builder.Services.AddHostedService<InvoiceScheduler>();
        builder.Services.AddHostedService<DemoSeeder>();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseServerlessBillingErrors();
        app.UseServerlessBillingAccess();
        app.MapServerlessBillingApi();
        app.MapGet("/", () => Results.Text("ServerlessBilling local host: see /api (API.md)\n"));
        return app;
    }

    /// <summary>Serves until stopped; a setting that stops the start (bad keys, no keys off loopback) is one line on <paramref name="stderr"/> and exit code 2.</summary>
    public static int Run(string[] args, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        WebApplication? app = null;
        try
        {
            app = Build(args);
            // Validated before the start, so that a bad setting is refused before anything listens and without the host's stack trace.
            app.Services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
        }
        catch (Exception ex) when (ex is Microsoft.Extensions.Options.OptionsValidationException
            || (ex is InvalidOperationException && ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal)))
        {
            (app as IDisposable)?.Dispose();
            stderr.WriteLine($"error: {ex.Message}");
            return Commands.ExitCodes.Usage;
        }

        using (app)
        {
            app.Run();
        }

        return Commands.ExitCodes.Ok;
    }
}

/// <summary>Settings of the local host (section "Local").</summary>
public sealed class LocalOptions
{
    public const string Section = "Local";

    public const string DefaultDataDirectory = "data";

    /// <summary>The folder of the SQLite data file (Store=sqlite), relative to the working directory unless rooted.</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory;

    /// <summary>Seed the demo rate deck and accounts at start (turn off with --Local:SeedDemo=false or --no-demo).</summary>
    public bool SeedDemo { get; set; } = true;

    /// <summary>How often expired reservations are looked for.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the invoice run runs (at start, then at this interval); zero turns it off.</summary>
    public TimeSpan InvoiceRunInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Where invoice documents (HTML, PDF) are filed, relative to the content root.</summary>
    public string DocumentsPath { get; set; } = Path.Combine("data", "documents");
}
