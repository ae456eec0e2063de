using System.Text.Json;
using System.Text.Json.Nodes;

namespace ServerlessBilling.Functions.Tests;

/// <summary>
/// An HTTP answer reduced to what both hosts must agree on: status, media type, Retry-After (a switch acts on it)
/// and the body (JSON less the traceId that problem details carry: each host has its own trace; other media as sent).
/// </summary>
public sealed record Answer(int Status, string? MediaType, string? RetryAfter, string Body)
{
    public static Answer From(int status, string? contentType, string? retryAfter, string body)
    {
        var mediaType = contentType?.Split(';')[0].Trim();
        if (body.Length > 0 && mediaType?.EndsWith("json", StringComparison.Ordinal) == true && JsonNode.Parse(body) is JsonObject json)
        {
            json.Remove("traceId");
            body = json.ToJsonString();
        }

        return new Answer(status, mediaType, retryAfter, body);
    }

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    // Not the generated one: it would print Json, which a CSV or HTML body cannot be parsed as.
    public override string ToString() => $"{Status} {MediaType} (Retry-After {RetryAfter ?? "none"}) {Body}";
}

/// <summary>One request of a scenario: the function that serves it, and the same request as a path for the local host.</summary>
public sealed record HttpCall(string Function, string Method, string Path, string? Body = null, string ContentType = "application/json")
{
    public (string Path, string Query) PathAndQuery => Path.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? (Path[..q], Path[q..]) : (Path, "");

    public override string ToString() => $"{Function}: {Method} /api/{Path}";
}
