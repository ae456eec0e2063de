using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServerlessBilling.Api;
using ServerlessBilling.Api.Access;
using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// Without keys the host serves loopback only: it says so at start, every loopback caller may call every route, it
/// refuses to start on any other address (one line, a non-zero exit code, before anything listens), and a connection that
/// reaches it on another address anyway is refused.
/// </summary>
public sealed class LoopbackOnlyTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    public static TheoryData<string> Routes => [.. ApiRoutes.All.Select(r => r.Name)];

    public static TheoryData<string[], string> OpenAddresses => new()
    {
        { ["--urls", "http://0.0.0.0:0"], "0.0.0.0" },
        { ["--urls", "http://*:0"], "*" },
        { ["--urls", "http://+:0"], "+" },
        { ["--urls", "http://[::]:0"], "[::]" },
        { ["--urls", "http://192.0.2.10:0"], "192.0.2.10" },
        { ["--urls", "http://billing.example:0"], "billing.example" },
        { ["--urls", "http://127.0.0.1:0;http://0.0.0.0:0"], "0.0.0.0" },
        { ["--urls", "http://127.0.0.1:0", "--Kestrel:Endpoints:Open:Url=http://0.0.0.0:0"], "0.0.0.0" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Without_keys_a_loopback_caller_may_call_every_route_without_a_key(string name)
    {
        using var response = await host.Client.SendAsync(AccessHttpTests.Request(ApiRoutes.Named(name), key: null, KeyForm.FunctionsKeyHeader));

        Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{name} got {(int)response.StatusCode}");
    }

    [Fact]
    public async Task Without_keys_the_start_says_the_host_serves_loopback_only()
    {
        var logs = new CapturedLogs();
        await using var app = LocalHost.Build(["--urls", "http://127.0.0.1:0", "--Store=memory", "--Local:SeedDemo=false"], b => b.Logging.AddProvider(logs));
        await app.StartAsync();
        await app.StopAsync();

        Assert.Contains(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("serving loopback callers only", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(OpenAddresses))]
    public async Task Without_keys_the_host_refuses_to_start_off_loopback_with_one_line_and_a_non_zero_exit_code(string[] args, string address)
    {
        using var stderr = new StringWriter();

        var exitCode = await Task.Run(() => LocalCli.Run(["serve", .. args, "--Store=memory", "--Local:SeedDemo=false"], TextReader.Null, TextWriter.Null, stderr)).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(ExitCodes.Ok, exitCode);
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains("Auth:SwitchKeys", line, StringComparison.Ordinal);
        Assert.Contains("loopback", line, StringComparison.Ordinal);
        Assert.Contains(address, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:7071")]
    [InlineData("http://127.1.2.3:7071")]
    [InlineData("http://localhost:7071")]
    [InlineData("http://[::1]:7071")]
    [InlineData("https://LOCALHOST:7443/")]
    public void Without_keys_loopback_addresses_are_accepted(string url)
    {
        using var app = LocalHost.Build(["--urls", url, "--Store=memory"]);

        app.Services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public void With_keys_any_address_is_accepted()
    {
        using var app = LocalHost.Build(["--urls", "http://0.0.0.0:7071", "--Store=memory", "--Auth:AdminKeys=e2e-admin-key-7d2e5c3a"]);

        app.Services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Theory]
    [InlineData("192.0.2.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("::ffff:192.0.2.1", false)]
    [InlineData("2001:db8::1", false)]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    public async Task Without_keys_a_connection_that_arrived_off_loopback_is_refused_whatever_the_route(string localAddress, bool served)
    {
        var next = false;
        var middleware = new ApiKeyMiddleware(_ =>
        {
            next = true;
            return Task.CompletedTask;
        }, new ApiKeyRing(Options.Create(new AuthOptions())), NullLogger<ApiKeyMiddleware>.Instance);
        await using var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Connection.LocalIpAddress = IPAddress.Parse(localAddress);
        context.Request.Path = "/healthz";
        context.Response.Body = new MemoryStream();

        await middleware.InvokeAsync(context);

        Assert.Equal(served, next);
        Assert.Equal(served ? StatusCodes.Status200OK : StatusCodes.Status403Forbidden, context.Response.StatusCode);
    }
}
