using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBilling.LoadBench.Infrastructure;

/// <summary>The local host in this process on a free 127.0.0.1 port, and the keep-alive client the scenarios load it with.</summary>
internal static class LoopbackHttp
{
    /// <summary>The host arguments every scenario starts with: a free loopback port, quiet logs.</summary>
    public static readonly string[] HostArgs = ["--urls", "http://127.0.0.1:0", "--Store=memory", "--Logging:LogLevel:Default=Warning"];

    public static readonly MediaTypeHeaderValue Json = new("application/json");

    public static readonly MediaTypeHeaderValue Csv = new("text/csv");

    /// <summary>Starts the host and answers its address; refuses (and stops the host) if it is not on 127.0.0.1.</summary>
    public static async Task<Uri> StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await app.StartAsync(cancellationToken);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        if (address.Host != "127.0.0.1")
        {
            await app.StopAsync(CancellationToken.None);
            throw new InvalidOperationException($"the host listens on {address}, not on 127.0.0.1");
        }

        return address;
    }

    /// <summary>One SocketsHttpHandler, keep-alive, no proxy: up to <paramref name="connections"/> connections.</summary>
    public static HttpClient CreateClient(Uri address, int connections, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        return new HttpClient(handler) { BaseAddress = address, Timeout = timeout };
    }

    public static ByteArrayContent Content(byte[] body, MediaTypeHeaderValue type)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = type;
        return content;
    }

    /// <summary>PUT <paramref name="path"/>; anything but 200 stops the scenario with the answer.</summary>
    public static async Task PutAsync(HttpClient client, string path, HttpContent content, CancellationToken cancellationToken)
    {
        using var response = await client.PutAsync(new Uri(path, UriKind.Relative), content, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"PUT {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }
}
