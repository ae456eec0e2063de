using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ServerlessBilling.Api.Http;

/// <summary>
/// 200 with a JSON body, serialized with the host's HTTP JSON options as <c>Results.Ok</c> would, but into one buffer
/// written once with its Content-Length: the hot path's small answers go out in one send instead of an asynchronous
/// serializer and a chunked body. The credit-control answers skip the serializer's metadata (<see cref="AnswerJson"/>).
/// </summary>
public sealed class JsonOk<T>(T value) : IResult
{
    private static readonly JsonSerializerOptions Fallback = new JsonOptions().SerializerOptions;

    public T Value { get; } = value;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var options = httpContext.RequestServices?.GetService<IOptions<JsonOptions>>()?.Value.SerializerOptions ?? Fallback;
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        if (AnswerJson.TryWrite(Value, options, out var json))
        {
            // The span is this thread's buffer: copied into the response's pipe before anything else runs here.
            response.ContentLength = json.Length;
            var body = response.BodyWriter;
            body.Write(json);
            var flushed = body.FlushAsync(httpContext.RequestAborted);
            return flushed.IsCompletedSuccessfully ? Task.CompletedTask : flushed.AsTask();
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(Value, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes, 0, bytes.Length, httpContext.RequestAborted);
    }
}

/// <summary>Builds <see cref="JsonOk{T}"/> with the type inferred.</summary>
public static class JsonOk
{
    public static IResult Of<T>(T value) => new JsonOk<T>(value);
}
