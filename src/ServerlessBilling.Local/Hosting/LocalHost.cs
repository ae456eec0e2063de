using ServerlessBilling.Api;
using ServerlessBilling.Cosmos;

namespace ServerlessBilling.Local.Hosting;

/// <summary>
/// The `serve` command: the HTTP API of API.md, credit control and the expiry sweeper in one process, on the store
/// named by Store (see <see cref="StoreSelection"/>): a SQLite file under ./data by default, --Store=memory for tests
/// and demos, or Cosmos DB when Cosmos:Endpoint is set (e.g. --Cosmos:Endpoint=https://127.0.0.1:8081/). Listens on http://127.0.0.1:7071 unless --urls (or ASPNETCORE_URLS) says otherwise.
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
        builder.Services.AddServerlessBillingCore(builder.Configuration);
        builder.Services.AddSelectedStores(builder.Configuration);

        builder.Services.AddOptions<LocalOptions>().Bind(builder.Configuration.GetSection(LocalOptions.Section));
        builder.Services.AddHostedService<ExpirySweeper>();
        if (builder.Services.Any(d => d.ServiceType == typeof(Core.Monitoring.AccountChangeStream)))
        {
            builder.Services.AddHostedService<MonitoringWorker>();
        }
        else if (builder.Services.Any(d => d.ServiceType == typeof(CosmosMonitoringFeed)))
        {
            builder.Services.AddHostedService<CosmosMonitoringWorker>();
        }

        builder.Services.AddHostedService<DemoSeeder>();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseServerlessBillingErrors();
        app.MapServerlessBillingApi();
        app.MapGet("/", () => Results.Text("ServerlessBilling local host: see /api (API.md)\n"));
        return app;
    }

    public static int Run(string[] args)
    {
        Build(args).Run();
        return 0;
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
}
