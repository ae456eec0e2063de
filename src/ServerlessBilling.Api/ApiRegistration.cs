using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessBilling.Api.Endpoints;
using ServerlessBilling.Api.Http;
using ServerlessBilling.Core.Diagnostics;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Api;

public static partial class ApiRegistration
{
    /// <summary>Problem details, and the JSON settings of the contract.</summary>
    public static IServiceCollection AddServerlessBillingApi(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = ApiJson.Options.PropertyNamingPolicy;
            o.SerializerOptions.NumberHandling = ApiJson.Options.NumberHandling;
            o.SerializerOptions.Converters.Add(new NormalizedDecimalConverter());
        });
        return services;
    }

    /// <summary>The one place where exceptions become HTTP answers: faults of the store are 503, a bad request 400.</summary>
    public static IApplicationBuilder UseServerlessBillingErrors(this IApplicationBuilder app) =>
        app.UseExceptionHandler(errors => errors.Run(async context =>
        {
            var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ServerlessBilling.Api");
            var result = exception switch
            {
                StoreUnavailableException unavailable => Problems.Unavailable($"the account store is unavailable: {unavailable.Message}; retry"),
                BadHttpRequestException bad => Problems.Problem(bad.StatusCode, "Bad request", bad.Message),
                OperationCanceledException => Problems.Problem(499, "Client closed request", "the request was cancelled"),
                _ => Problems.Problem(StatusCodes.Status500InternalServerError, "Internal error", "an unexpected error occurred; it has been logged"),
            };
            if (exception is StoreUnavailableException)
            {
                BillingMetrics.StoreFaulted();
                LogUnavailable(logger, context.Request.Path, exception);
            }
            else if (exception is not BadHttpRequestException and not OperationCanceledException)
            {
                LogUnhandled(logger, context.Request.Path, exception);
            }

            await result.ExecuteAsync(context);
        }));

    public static IEndpointRouteBuilder MapServerlessBillingApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api");
        api.MapPost("/authorize", CreditControlEndpoints.Authorize);
        api.MapPost("/sessions/{sessionId}/interim", CreditControlEndpoints.Interim);
        api.MapPost("/sessions/{sessionId}/terminate", CreditControlEndpoints.Terminate);
        api.MapGet("/accounts/{accountId}/balance", AccountEndpoints.Balance);
        api.MapPut("/accounts/{accountId}", AccountEndpoints.Put);
        api.MapPost("/accounts/{accountId}/topups", AccountEndpoints.TopUp);
        api.MapPut("/ratedecks/{deckId}", AccountEndpoints.PutRateDeck);
        api.MapPost("/cdrs", CdrEndpoints.Post);
        api.MapGet("/accounts/{accountId}/usage", CdrEndpoints.Usage);
        api.MapGet("/quarantine", CdrEndpoints.Quarantine);
        return routes;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store unavailable while serving {Path}")]
    private static partial void LogUnavailable(ILogger logger, PathString path, Exception? exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error while serving {Path}")]
    private static partial void LogUnhandled(ILogger logger, PathString path, Exception? exception);
}
