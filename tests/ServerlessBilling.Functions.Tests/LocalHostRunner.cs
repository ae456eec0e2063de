using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.Functions.Tests;

/// <summary>
/// The local host on a loopback port, on its embedded stores and the given fake clock, without demo data and without
/// its monitoring worker: in Azure, monitoring is the change-feed function, which the Functions app does not have yet,
/// so with it the local host would answer balances and alerts from a pipeline the functions do not run.
/// </summary>
public sealed class LocalHostRunner : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _client;

    private LocalHostRunner(WebApplication app, HttpClient client)
    {
        _app = app;
        _client = client;
    }

    public IServiceProvider Services => _app.Services;

    /// <param name="monitoring">Keep the local host's monitoring worker (off by default: in Azure a separate trigger does that work).</param>
    public static async Task<LocalHostRunner> StartAsync(FakeTimeProvider clock, Action<IServiceCollection>? configure = null, bool monitoring = false)
    {
        var app = LocalHost.Build(
            ["--urls", "http://127.0.0.1:0", "--Store=memory", "--Local:SeedDemo=false", "--Logging:LogLevel:Default=Warning"],
            b =>
            {
                b.Services.AddSingleton<TimeProvider>(clock);
                // The start-up probe would refuse a host whose store a test makes fail on purpose; the comparison wants its answers.
                foreach (var worker in b.Services.Where(d => d.ServiceType == typeof(IHostedService)
                    && ((!monitoring && d.ImplementationType == typeof(MonitoringWorker)) || d.ImplementationType == typeof(StoreStartupCheck))).ToList())
                {
                    b.Services.Remove(worker);
                }
                configure?.Invoke(b.Services);
            });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LocalHostRunner(app, new HttpClient { BaseAddress = new Uri(address) });
    }

    public async Task<Answer> SendAsync(HttpCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        using var request = new HttpRequestMessage(new HttpMethod(call.Method), "/api/" + call.Path);
        if (call.Body is { } body)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(call.ContentType);
        }

        using var response = await _client.SendAsync(request);
        var retryAfter = response.Headers.TryGetValues("Retry-After", out var values) ? string.Join(',', values) : null;
        return Answer.From((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), retryAfter, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
