using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.EndToEnd.Tests.Sqlite;

/// <summary>The local host on its default store (SQLite) in a data folder, started and stopped as a restart does.</summary>
internal static class SqliteHost
{
    public static async Task<(WebApplication App, HttpClient Client)> StartAsync(string dataFolder, Action<WebApplicationBuilder>? configure = null)
    {
        var app = LocalHost.Build(["--urls", "http://127.0.0.1:0", "--Local:DataDirectory=" + dataFolder, "--Logging:LogLevel:Default=Warning"], configure);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new HttpClient { BaseAddress = new Uri(address) });
    }

    public static async Task StopAsync(WebApplication app, HttpClient client)
    {
        client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
