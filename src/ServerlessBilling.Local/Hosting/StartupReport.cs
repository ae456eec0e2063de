using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ServerlessBilling.Local.Commands.Serve;

namespace ServerlessBilling.Local.Hosting;

/// <summary>One line at start that says what is running where: version, addresses, store, environment, settings folder.</summary>
public static partial class StartupReport
{
    public static WebApplication LogWhenStarted(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ServerlessBilling.Local");
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            LogStarted(logger, ServeCommand.Version(), string.Join(", ", addresses), StoreProbe.Describe(app.Services), app.Environment.EnvironmentName, app.Environment.ContentRootPath);
        });
        return app;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ServerlessBilling.Local {Version} listening on {Addresses}; store: {Store}; environment: {Environment}; settings from {ContentRoot}")]
    private static partial void LogStarted(ILogger logger, string version, string addresses, string store, string environment, string contentRoot);
}
