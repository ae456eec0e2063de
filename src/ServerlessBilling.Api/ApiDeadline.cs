using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Api;

/// <summary>
/// The one place where the administration reads get their deadline: a frozen store holds no caller of any host. Every
/// admin route without a request body (the reads: account, the listings, invoices and their documents, rate decks) runs
/// its handler within <see cref="CreditControlOptions.AdminDeadline"/> through <see cref="StoreDeadline"/>, and
/// answers 503 with Retry-After (<see cref="ApiErrors"/>) when it passes; the handler's token is cancelled then, so the
/// abandoned store call stops when its store lets it. The switch routes bound their store work in their use case within
/// <see cref="CreditControlOptions.StoreDeadline"/> (credit control, and the balance read, which a switch may make at call
/// setup: a second, longer deadline around it only added a timer and a race over which one answered), and so do the
/// routes with a body (the account writes and deck uploads within the admin deadline, CDR batches within
/// <see cref="CreditControlOptions.BatchDeadline"/>): a deadline over the whole request would also count the time a
/// large body takes to arrive. The invoice run bounds each
/// of its steps instead (a run over every account may rightly take longer than any one deadline). Both hosts apply it: the local host as an endpoint convention, the Functions app through the endpoint
/// builder of its request delegates.
/// </summary>
public static class ApiDeadline
{
    /// <summary>Adds the deadline filter of <paramref name="route"/> to the endpoint being built, if it has one.</summary>
    public static void Apply(ApiRoute route, EndpointBuilder endpoint)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(endpoint);
        if (route.Method != ApiRoutes.Get || route.Role == ApiRole.Switch)
        {
            return;
        }

        var what = $"{route.Method} /{ApiRoutes.Prefix}/{route.Template}";
        endpoint.FilterFactories.Add((_, next) => invocation => WithinDeadlineAsync(invocation, next, what));
    }

    private static ValueTask<object?> WithinDeadlineAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next, string what)
    {
        var services = invocation.HttpContext.RequestServices;
        var options = services.GetRequiredService<CreditControlOptions>();
        return new ValueTask<object?>(StoreDeadline.RunAsync(
            deadline =>
            {
                // The handler's token was bound from the request before the filter ran: it takes the deadline's instead.
                var arguments = invocation.Arguments;
                for (var i = 0; i < arguments.Count; i++)
                {
                    if (arguments[i] is CancellationToken)
                    {
                        arguments[i] = deadline;
                    }
                }

                return next(invocation).AsTask();
            },
            options.AdminDeadline,
            services.GetRequiredService<TimeProvider>(),
            what,
            invocation.HttpContext.RequestAborted));
    }
}
