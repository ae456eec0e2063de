using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServerlessBilling.Api.Http;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Api;

/// <summary>
/// The one place where exceptions become HTTP answers, for every host: faults of the store are 503, a write the store
/// refuses (a document too large) 507, a bad request
/// 400 (or its own 4xx), a cancelled request 499, anything else 500 with nothing of the exception shown.
/// </summary>
public static partial class ApiErrors
{
    public const string LoggerName = "ServerlessBilling.Api";

    public static IResult ToProblem(Exception? exception, PathString path, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        switch (exception)
        {
            case StoreUnavailableException unavailable:
                Core.Diagnostics.BillingMetrics.StoreFaulted();
                LogUnavailable(logger, path, exception);
                return Problems.Unavailable(UnavailableDetail(unavailable));
            case StoreRefusedException refused:
                LogRefused(logger, path, exception);
                return Problems.Problem(StatusCodes.Status507InsufficientStorage, "Insufficient storage", RefusedDetail(refused));
            case BadHttpRequestException bad:
                return Problems.Problem(bad.StatusCode, Problems.TitleOf(bad.StatusCode), bad.Message);
            case OperationCanceledException:
                return Problems.Problem(499, "Client closed request", "the request was cancelled");
            default:
                LogUnhandled(logger, path, exception);
                return Problems.Problem(StatusCodes.Status500InternalServerError, "Internal error", "an unexpected error occurred; it has been logged");
        }
    }

    /// <summary>Names the store that failed when the exception says which, else "a store": never one it was not.</summary>
    public static string UnavailableDetail(StoreUnavailableException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var store = string.IsNullOrWhiteSpace(exception.Store) ? "a store" : "the " + exception.Store;
        return $"{store} is unavailable: {exception.Message}; retry";
    }

    /// <summary>Names the store that refused the write and why; a retry of the same request is refused again.</summary>
    public static string RefusedDetail(StoreRefusedException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var store = string.IsNullOrWhiteSpace(exception.Store) ? "a store" : "the " + exception.Store;
        return $"{store} refused the write: {exception.Message}; the same request will be refused again";
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Store refused a write while serving {Path}")]
    private static partial void LogRefused(ILogger logger, PathString path, Exception? exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store unavailable while serving {Path}")]
    private static partial void LogUnavailable(ILogger logger, PathString path, Exception? exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error while serving {Path}")]
    private static partial void LogUnhandled(ILogger logger, PathString path, Exception? exception);
}
