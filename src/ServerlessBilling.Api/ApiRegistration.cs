using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessBilling.Api.Http;

namespace ServerlessBilling.Api;

public static class ApiRegistration
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

    /// <summary>
    /// Maps exceptions to problem answers through <see cref="ApiErrors.ToProblem"/>, which also logs what deserves it
    /// (a store fault, an unexpected error), so the middleware's own "unhandled exception" error is suppressed: a
    /// client's oversized body is a 413, not an error in the operator's log.
    /// </summary>
    public static IApplicationBuilder UseServerlessBillingErrors(this IApplicationBuilder app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = async context =>
            {
                var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(ApiErrors.LoggerName);
                await ApiErrors.ToProblem(exception, context.Request.Path, logger).ExecuteAsync(context);
            },
            SuppressDiagnosticsCallback = _ => true,
        });

    /// <summary>
    /// Every route of <see cref="ApiRoutes.All"/> under /api, named, with its <see cref="ApiRoute"/> (and so its role) as
    /// metadata, and its deadline (<see cref="ApiDeadline"/>).
    /// </summary>
    public static IEndpointRouteBuilder MapServerlessBillingApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/" + ApiRoutes.Prefix);
        foreach (var route in ApiRoutes.All)
        {
            api.MapMethods("/" + route.Template, [route.Method], route.Handler)
                .WithName(route.Name)
                .WithMetadata(route)
                .Add(endpoint => ApiDeadline.Apply(route, endpoint));
        }

        return routes;
    }
}
