using ServerlessBilling.Api;
using ServerlessBilling.Cosmos;
using ServerlessBilling.Local.Hosting.OpenApi;

namespace ServerlessBilling.Local.Hosting;

/// <summary>
/// The `serve` command: the HTTP API (docs/api.md), credit control and the expiry sweeper in one process, on the
/// embedded store, or on Cosmos DB when Cosmos:Endpoint is set (e.g. --Cosmos:Endpoint=https://127.0.0.1:8081/). Listens on http://127.0.0.1:7071 unless --urls (or ASPNETCORE_URLS) says otherwise.
/// </summary>
public static class LocalHost
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings load from the program's folder wherever it is started from.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddServerlessBillingApi();
        builder.Services.AddServerlessBillingCore(builder.Configuration);
        if (string.IsNullOrWhiteSpace(builder.Configuration[$"{CosmosOptions.Section}:{nameof(CosmosOptions.Endpoint)}"]))
        {
            builder.Services.AddEmbeddedStores();
        }
        else
        {
            builder.Services.AddCosmosStores(builder.Configuration);
        }

        builder.Services.AddOptions<LocalOptions>().Bind(builder.Configuration.GetSection(LocalOptions.Section));
        builder.Services.AddHostedService<StoreStartupCheck>(); // first: an unreachable store fails the start at once
        builder.Services.AddHostedService<ExpirySweeper>();
        builder.Services.AddHostedService<DemoSeeder>();
        builder.Services.AddLocalHealth();
        builder.Services.AddLocalOpenApi();
        builder.Services.AddLocalMetrics(builder.Configuration);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseServerlessBillingErrors();
        app.MapServerlessBillingApi();
        app.MapLocalHealth();
        app.MapLocalOpenApi();
        app.MapLocalMetrics();
        app.MapHomePage();
        return app.LogWhenStarted();
    }
}

/// <summary>Settings of the local host (section "Local").</summary>
public sealed class LocalOptions
{
    public const string Section = "Local";

    /// <summary>Seed the demo rate deck and accounts at start (turn off with --Local:SeedDemo=false or --no-demo).</summary>
    public bool SeedDemo { get; set; } = true;

    /// <summary>How often expired reservations are looked for.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the store may take to answer at start before the host gives up (exit code 5).</summary>
    public TimeSpan StoreStartTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
