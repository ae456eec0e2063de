using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>The local host on a free loopback port, with the demo data, shared by the tests of a class.</summary>
public class LocalHostFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    /// <summary>Settings after the loopback URL and the in-memory store, as command-line options (later ones win).</summary>
    protected virtual IEnumerable<string> Settings => ["--Logging:LogLevel:Default=Warning"];

    protected virtual void Configure(WebApplicationBuilder builder)
    {
    }

    public async Task InitializeAsync()
    {
        _app = LocalHost.Build(["--urls", "http://127.0.0.1:0", "--Store=memory", .. Settings], Configure);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
