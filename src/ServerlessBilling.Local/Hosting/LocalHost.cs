using Microsoft.Extensions.Options;
using ServerlessBilling.Api;
using ServerlessBilling.Core;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Cosmos;
using ServerlessBilling.Local.Hosting.OpenApi;

namespace ServerlessBilling.Local.Hosting;

/// <summary>
/// The `serve` command: the HTTP API (docs/api.md), credit control, the expiry sweeper, spend monitoring and the daily
/// invoice run in one process, on the store named by Store (see <see cref="StoreSelection"/>): a SQLite file under
/// ./data by default, --Store=memory for tests and demos, or Cosmos DB when Cosmos:Endpoint is set (e.g. --Cosmos:Endpoint=https://127.0.0.1:8081/). Listens on http://127.0.0.1:7071 unless --urls (or ASPNETCORE_URLS) says otherwise.
/// </summary>
public static class LocalHost
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Background collection is on in the runtimeconfig only for the small young-generation budgets that come with
        // it; every collection is blocking, so that gen2 compacts (GarbageCollection.props).
        System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.Batch;
        // Settings load from the program's folder wherever it is started from.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        QuietRequestDiagnostics(builder);
        builder.Services.AddServerlessBillingApi();
        builder.Services.AddServerlessBillingAccess(builder.Configuration); // keys and limits (Auth:*, Limits:*); loopback only without keys
        builder.Services.AddServerlessBillingCore(builder.Configuration);
        builder.Services.AddSelectedStores(builder.Configuration);

        builder.Services.AddValidatedOptions<LocalOptions>(builder.Configuration);
        builder.Services.AddHostedService<StoreStartupCheck>(); // first: an unreachable store fails the start at once
        builder.Services.AddSingleton<IDocumentSink>(sp => new FolderDocumentSink(sp.GetRequiredService<IOptions<LocalOptions>>().Value.DocumentsFolder));
        builder.Services.AddHostedService<ExpirySweeper>();
        var webhook = builder.Configuration.GetSection(AlertWebhookOptions.Section).Get<AlertWebhookOptions>() ?? new AlertWebhookOptions();
        builder.Services.AddValidatedOptions<AlertWebhookOptions>(builder.Configuration);
        if (!string.IsNullOrWhiteSpace(webhook.WebhookUrl))
        {
            // Delivered to the URL configured, never where an answer points: a 301 or 302 followed is a GET without the
            // alert's body whose 200 would count as delivered; a redirect is an answer that is not success (retried, logged).
            builder.Services.AddHttpClient<WebhookAlertSink>(c => c.Timeout = TimeSpan.FromSeconds(5))
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
            // Fed from a queue: a webhook that is slow or down holds back no account's monitoring (WebhookAlertQueue).
            builder.Services.AddSingleton<WebhookAlertQueue>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookAlertQueue>());
            builder.Services.AddSingleton<Core.Storage.IAlertSink>(sp => sp.GetRequiredService<WebhookAlertQueue>());
        }

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
        builder.Services.AddLocalHealth();
        builder.Services.AddLocalOpenApi();
        builder.Services.AddLocalMetrics(builder.Configuration);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseServerlessBillingErrors();
        app.UseServerlessBillingAccess();
        app.MapServerlessBillingApi();
        app.MapLocalHealth();
        app.MapLocalOpenApi();
        app.MapLocalMetrics();
        app.UseDashboard();
        return app.LogWhenStarted();
    }

    /// <summary>The log category of ASP.NET Core's per-request diagnostics (request starting/finished, at Information).</summary>
    public const string RequestDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>
    /// ASP.NET Core starts an Activity and a log scope for every request as soon as <see cref="RequestDiagnosticsCategory"/>
    /// is enabled at any level, Critical included: at the shipped Warning it writes nothing on a request yet pays for
    /// both on every one. So while the settings leave that category at Warning or above (in every provider), it is
    /// turned off; a setting that lowers it (--Logging:LogLevel:Microsoft.AspNetCore=Information, as docs/operations.md
    /// says, or the category itself) logs each request as before. The serve command reports a failed start itself (the
    /// category's only other message), and a tracing listener (OpenTelemetry) still gets its Activity.
    /// </summary>
    private static void QuietRequestDiagnostics(WebApplicationBuilder builder)
    {
        var logging = builder.Configuration.GetSection("Logging");
        var quiet = ConfiguredLevel(logging.GetSection("LogLevel")) >= LogLevel.Warning
            && logging.GetChildren().Where(c => c.Key != "LogLevel").All(provider => ConfiguredLevel(provider.GetSection("LogLevel")) is null or >= LogLevel.Warning);
        if (quiet)
        {
            builder.Logging.AddFilter(RequestDiagnosticsCategory, LogLevel.None);
        }
    }

    /// <summary>The level these settings give <see cref="RequestDiagnosticsCategory"/>: the longest category that
    /// prefixes it, else Default; null when neither is set.</summary>
    private static LogLevel? ConfiguredLevel(IConfigurationSection levels)
    {
        var match = levels.GetChildren()
            .Where(c => RequestDiagnosticsCategory.StartsWith(c.Key, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(c => c.Key.Length)
            .FirstOrDefault() ?? levels.GetSection("Default");
        return Enum.TryParse<LogLevel>(match.Value, ignoreCase: true, out var level) ? level : null;
    }
}

/// <summary>Settings of the local host (section "Local").</summary>
public sealed class LocalOptions : IValidatedOptions
{
    public const string Section = "Local";

    static string IValidatedOptions.Section => Section;

    public const string DefaultDataDirectory = "data";

    /// <summary>The folder of the SQLite data file (Store=sqlite), relative to the working directory unless rooted.</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory;

    /// <summary>Seed the demo rate deck and accounts at start (turn off with --Local:SeedDemo=false or --no-demo).</summary>
    public bool SeedDemo { get; set; } = true;

    /// <summary>How often expired reservations are looked for.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the invoice run runs (at start, then at this interval); zero turns it off.</summary>
    public TimeSpan InvoiceRunInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Where invoice documents (HTML, PDF) are filed; default "documents" under <see cref="DataDirectory"/>. A relative path is from the working directory, as the data directory is.</summary>
    public string? DocumentsPath { get; set; }

    /// <summary>The documents folder in force.</summary>
    public string DocumentsFolder => Path.GetFullPath(DocumentsPath ?? Path.Combine(DataDirectory, "documents"));

    /// <summary>How long the store may take to answer at start before the host gives up (exit code 5).</summary>
    public TimeSpan StoreStartTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(DataDirectory)) errors.Add("Local:DataDirectory must name a folder");
        errors.CheckPositive("Local:SweepInterval", SweepInterval, TimeSpan.FromDays(1));
        errors.CheckNotNegative("Local:InvoiceRunInterval", InvoiceRunInterval, TimeSpan.FromDays(31), " (zero turns the run off)");
        errors.CheckPositive("Local:StoreStartTimeout", StoreStartTimeout, TimeSpan.FromHours(1));
        return errors;
    }
}
