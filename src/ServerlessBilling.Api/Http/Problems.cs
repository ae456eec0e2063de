using Microsoft.AspNetCore.Http;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core;

namespace ServerlessBilling.Api.Http;

/// <summary>RFC 9457 problem answers: every error says what is wrong in <c>detail</c>.</summary>
public static class Problems
{
    public static IResult BadRequest(string detail, object? errors = null) => Problem(StatusCodes.Status400BadRequest, "Bad request", detail, errors);

    public static IResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Conflict(string detail) => Problem(StatusCodes.Status409Conflict, "Conflict", detail);

    /// <summary>Seconds a client is asked to wait before retrying after a 503 or 429.</summary>
    public const int RetryAfterSeconds = 1;

    /// <summary>503 with Retry-After: the switch treats it as "no grant now" and may retry the same request.</summary>
    public static IResult Unavailable(string detail) =>
        new WithHeader(Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", detail), "Retry-After", RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static IResult From(OutcomeError error) => error.Kind switch
    {
        OutcomeErrorKind.Conflict => Conflict(error.Detail),
        OutcomeErrorKind.NotFound => NotFound(error.Detail),
        _ => BadRequest(error.Detail, error.Errors),
    };

    /// <summary>
    /// The title of a problem answer of <paramref name="status"/> that the server raised while reading the request (a
    /// body over its limit, a request too slow): what happened, not a generic "Bad request".
    /// </summary>
    public static string TitleOf(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "Request body too large",
        StatusCodes.Status408RequestTimeout => "Request timeout",
        StatusCodes.Status411LengthRequired => "Length required",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "Request header fields too large",
        _ => "Bad request",
    };

    public static IResult Problem(int status, string title, string detail, object? errors = null)
    {
        var extensions = errors is null ? null : new Dictionary<string, object?> { ["errors"] = errors };
        return Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
    }

    private sealed class WithHeader(IResult inner, string name, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
