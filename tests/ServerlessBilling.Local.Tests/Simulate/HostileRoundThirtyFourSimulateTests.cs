using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Commands.Simulate;

namespace ServerlessBilling.Local.Tests.Simulate;

/// <summary>Round thirty-four of the hostile review: <c>simulate</c> pointed at something that is not the platform.</summary>
public sealed class HostileRoundThirtyFourSimulateTests
{
    [Theory]
    [InlineData(404, "application/problem+json", """{"status":404,"detail":"no such route"}""", "PUT /api/ratedecks/simulator: 404 no such route")]
    [InlineData(405, "text/plain", "", "PUT /api/ratedecks/simulator: 405")]
    [InlineData(200, "text/html", "<!DOCTYPE html><html><body>a web site</body></html>", "PUT /api/ratedecks/simulator: the answer is not")]
    public async Task A_url_that_is_not_the_platform_stops_the_run_with_one_line_and_exit_1_not_a_stack_trace(
        int status, string contentType, string body, string said)
    {
        // `simulate --url http://host/api` (the API's path added), or the address of another web server: the first request
        // was answered with an error (or a page that is not JSON) and the exception left the command unhandled: a stack
        // trace and exit 134, where the usage promises exit 1 for "the platform answered a request with an error".
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.Run(async context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body);
        });
        await app.StartAsync();
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var exit = await new SimulateCommand(stdout, stderr, null, TimeProvider.System) { FirstRetryDelay = TimeSpan.FromMilliseconds(1) }
            .RunAsync(["--url", app.Urls.First(), "--key", "adminkey0123456789", "--duration", "1s"]);

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains($"result     stopped: {said}", stdout.ToString(), StringComparison.Ordinal);
    }
}
