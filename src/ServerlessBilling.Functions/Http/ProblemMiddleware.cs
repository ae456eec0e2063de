using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using ServerlessBilling.Api;

namespace ServerlessBilling.Functions.Http;

/// <summary>
/// Turns an exception of an HTTP function into the problem answer the local host gives (<see cref="ApiErrors"/>).
/// Other triggers rethrow, so that the host retries the batch or tick.
/// </summary>
public sealed class ProblemMiddleware(ILoggerFactory loggers) : IFunctionsWorkerMiddleware
{
    private readonly ILogger _logger = loggers.CreateLogger(ApiErrors.LoggerName);

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context);
        }
        catch (Exception exception) when (context.GetHttpContext() is { Response.HasStarted: false })
        {
            var http = context.GetHttpContext()!;
            await ApiErrors.ToProblem(exception, http.Request.Path, _logger).ExecuteAsync(http);
        }
    }
}
