using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessBilling.Api.Access;
using ServerlessBilling.Core.Cdrs;

namespace ServerlessBilling.Api.Http;

/// <summary>Reads request bodies and route values; anything malformed becomes a 400 that says what is wrong.</summary>
public static class RequestReader
{
    /// <summary>Limits:MaxJsonBodyBytes of the host, or its default where the host does not register the limits.</summary>
    public static long MaxJsonBytes(HttpRequest request) =>
        request?.HttpContext.RequestServices?.GetService<IOptions<LimitsOptions>>()?.Value.MaxJsonBodyBytes ?? LimitsOptions.DefaultMaxJsonBodyBytes;

    /// <summary>The most items a listing returns in one answer.</summary>
    public const int MaxListLimit = 10_000;

    /// <summary>A listing's <c>limit</c> query value: <paramref name="byDefault"/> when absent, else a whole number from 1 to <paramref name="max"/>.</summary>
    public static bool TryLimit(string? text, out int limit, int byDefault = 1000, int max = MaxListLimit)
    {
        limit = byDefault;
        return string.IsNullOrEmpty(text)
            || (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) && limit >= 1 && limit <= max);
    }

    public static Task<(T? Body, IResult? Problem)> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class =>
        ReadJsonAsync<T>(request, whenEmpty: null, cancellationToken);

    /// <summary>
    /// A body that may be left out: no body at all, or one of zero bytes (however it is framed: Content-Length 0,
    /// chunked, or no length), reads as <paramref name="whenEmpty"/>; anything else must be the JSON object.
    /// </summary>
    public static Task<(T? Body, IResult? Problem)> ReadOptionalJsonAsync<T>(HttpRequest request, T whenEmpty, CancellationToken cancellationToken)
        where T : class =>
        ReadJsonAsync(request, whenEmpty, cancellationToken);

    private static async Task<(T? Body, IResult? Problem)> ReadJsonAsync<T>(HttpRequest request, T? whenEmpty, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        RefuseEncoded(request);
        var limit = MaxJsonBytes(request);
        if (request.ContentLength > limit)
        {
            return (null, Problems.BadRequest($"the body is larger than {limit} bytes"));
        }

        // Read with the limit counted as the bytes arrive, so a chunked body (no Content-Length) is held to it too. The
        // bytes are parsed where the server received them: no copy unless they span several of its buffers.
        var reader = request.BodyReader;
        ReadResult read;
        while (true)
        {
            read = await reader.ReadAsync(cancellationToken);
            if (read.Buffer.Length > limit)
            {
                reader.AdvanceTo(read.Buffer.End);
                throw TooLarge(limit);
            }

            if (read.IsCompleted)
            {
                break;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }

        try
        {
            return whenEmpty is not null && read.Buffer.IsEmpty ? (whenEmpty, null) : Parse<T>(read.Buffer);
        }
        finally
        {
            reader.AdvanceTo(read.Buffer.End);
        }
    }

    private static (T? Body, IResult? Problem) Parse<T>(ReadOnlySequence<byte> bytes)
        where T : class
    {
        byte[]? rented = null;
        try
        {
            var span = bytes.IsSingleSegment ? bytes.FirstSpan : Flatten(bytes, out rented);
            if (CreditBodies.TryRead<T>(span, out var plain))
            {
                return (plain, null);
            }

            var body = JsonSerializer.Deserialize<T>(span, ApiJson.Options);
            return body is null ? (null, Problems.BadRequest("the body must be a JSON object")) : (body, null);
        }
        catch (JsonException ex) when (ex.InnerException is InvalidOperationException inner && inner.Message.Contains("UTF-16", StringComparison.Ordinal))
        {
            // A string escaping a lone surrogate ("\ud800") is JSON but not text: say which field, not "the wrong type".
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "a string" : ex.Path.StartsWith("$.", StringComparison.Ordinal) ? ex.Path[2..] : ex.Path;
            return (null, Problems.BadRequest(Identifiers.NotText(field)));
        }
        catch (JsonException ex)
        {
            var where = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "" : $" at {ex.Path}";
            return (null, Problems.BadRequest($"malformed JSON{where}: {Describe(ex)}"));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static ReadOnlySpan<byte> Flatten(ReadOnlySequence<byte> bytes, out byte[] rented)
    {
        rented = ArrayPool<byte>.Shared.Rent(checked((int)bytes.Length));
        bytes.CopyTo(rented);
        return rented.AsSpan(0, (int)bytes.Length);
    }

    /// <summary>
    /// Refuses (415) a body sent compressed (<c>Content-Encoding: gzip</c>, <c>br</c>, …): the API reads bodies as they are
    /// sent, so a gzip CDR batch was read as its compressed bytes and answered "the header lacks required column(s)".
    /// </summary>
    private static void RefuseEncoded(HttpRequest request)
    {
        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        if (encoding.Length > 0 && !string.Equals(encoding, "identity", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadHttpRequestException(
                $"the body is sent with Content-Encoding '{Core.Validation.Excerpt.Of(encoding, 40)}', which the API does not read: send it uncompressed",
                StatusCodes.Status415UnsupportedMediaType);
        }
    }

    private static BadHttpRequestException TooLarge(long limit) =>
        new($"the body is larger than {limit} bytes", StatusCodes.Status413PayloadTooLarge);

    /// <summary>A route or body id, checked by the one id rule of the platform.</summary>
    /// <summary>
    /// A listing's optional <c>accountId</c> filter: absent, or one valid id. Given twice it is 400, as a repeated
    /// <c>limit</c> is: joined by a comma it would read as another valid id ("acme,other") and list nothing.
    /// </summary>
    public static IResult? CheckAccountFilter(HttpRequest request, out string? accountId)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = request.Query["accountId"];
        accountId = values.Count == 0 ? null : values[0];
        if (values.Count > 1)
        {
            return Problems.BadRequest("accountId must be given at most once");
        }

        return accountId is null ? null : CheckId(accountId, "accountId");
    }

    public static IResult? CheckId(string? value, string name) =>
        Identifiers.ValidateReceived(value, name) is { } error ? Problems.BadRequest(error) : null;

    /// <summary>
    /// A session id (route or body), checked by the session id rule: any RFC 3261 Call-ID passes, except "." and "..". As
    /// a path segment those are dot segments, which a host removes before routing even when percent-encoded (%2E%2E): a
    /// call authorized under one could never be reported on (its interim and terminate reach another route, an empty 404),
    /// while its credit stayed reserved.
    /// </summary>
    public static IResult? CheckSessionId(string? value, string name) =>
        (Identifiers.ValidateSessionReceived(value, name)
            ?? (value is "." or ".." ? $"{name} may not be '{value}': in the path of interim and terminate it is a dot segment, which the host removes, percent-encoded or not" : null))
        is { } error ? Problems.BadRequest(error) : null;

    /// <summary>
    /// Reads the whole body, refusing (413) as soon as it passes <paramref name="limit"/> bytes, or at once when its
    /// declared length passes that or the server's own limit (Limits:MaxRequestBodyBytes): the buffer is made the
    /// declared size, and a length the server will refuse anyway must cost no such buffer.
    /// </summary>
    public static async Task<byte[]> ReadBytesAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RefuseEncoded(request);
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } server && server < limit)
        {
            limit = server;
        }

        if (request.ContentLength > limit)
        {
            throw TooLarge(limit);
        }

        // Bodies on the hot path are small (an authorize is ~200 bytes): read into one exact array when the length is
        // declared, else through a pooled chunk; never a fresh 64 KB buffer per request.
        var chunk = ArrayPool<byte>.Shared.Rent(request.ContentLength is { } declared ? (int)Math.Min(declared + 1, 1 << 16) : 1 << 14);
        try
        {
            using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 0);
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw TooLarge(limit);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>
    /// As <see cref="ReadBytesAsync"/>, into an array of <see cref="ArrayPool{T}.Shared"/>: the body is the first
    /// <c>Length</c> bytes of <c>Array</c>, which the caller returns to the pool when nothing reads it any more. A large
    /// body (a CDR batch is about 0.5 MB) then costs no fresh large-object-heap array per request, whose budget would
    /// start a full collection every few batches.
    /// </summary>
    public static async Task<(byte[] Array, int Length)> ReadPooledAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RefuseEncoded(request);
        if (request.ContentLength > limit)
        {
            throw TooLarge(limit);
        }

        // A declared length is read into one array of that size (+1 to see the end without another rent); else it grows.
        var array = ArrayPool<byte>.Shared.Rent(request.ContentLength is { } declared ? (int)declared + 1 : 1 << 14);
        var length = 0;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(array.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
                if (length > limit)
                {
                    throw TooLarge(limit);
                }

                if (length == array.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)array.Length * 2, limit + 1));
                    array.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(array);
                    array = larger;
                }
            }

            return (array, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(array);
            throw;
        }
    }

    private static string Describe(JsonException ex)
    {
        // System.Text.Json messages name .NET types; say it in the contract's words instead.
        var message = ex.Message;
        if (message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return "a value has the wrong type (numbers must be JSON numbers, times ISO 8601 strings with an offset)";
        }

        // "Duplicate property 'usedSeconds' encountered during deserialization of type 'ServerlessBilling.Api.Contracts.…'":
        // the field, as a CDR's refusal names one given twice.
        const string duplicate = "Duplicate property '";
        if (message.StartsWith(duplicate, StringComparison.Ordinal) && message.IndexOf('\'', duplicate.Length) is var end and > 0)
        {
            return $"{message[duplicate.Length..end]} appears twice in the body (names are read without regard to case)";
        }

        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
