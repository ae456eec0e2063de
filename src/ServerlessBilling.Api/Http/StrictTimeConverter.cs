using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessBilling.Core.Validation;

namespace ServerlessBilling.Api.Http;

/// <summary>
/// Times in requests are ISO 8601 with an explicit offset and lie within the platform's bounds: a time without an
/// offset means a different instant on every server. Read by the CDR's rule (<see cref="IsoTime"/>), so that an
/// authorize takes exactly the start times its call's CDR may carry.
/// </summary>
public sealed class StrictTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("a time must be an ISO 8601 string with an offset, e.g. 2026-11-26T10:00:00Z");
        }

        var text = reader.GetString()!;
        if (!TryParse(text, out var value))
        {
            throw new JsonException($"'{Clip(text)}' is not an ISO 8601 time with an offset (e.g. 2026-11-26T10:00:00Z)");
        }

        return Bounds.CheckTime(value, "a time") is { } outOfRange ? throw new JsonException(outOfRange) : value;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("O", CultureInfo.InvariantCulture));

    /// <summary>
    /// An ISO 8601 time with its offset (a query's time too), by the rule a CDR's start time is read by
    /// (<see cref="IsoTime"/>); bounds are the caller's.
    /// </summary>
    public static bool TryParse(string text, out DateTimeOffset value) => IsoTime.TryParse(text, out value);

    private static string Clip(string text) => Excerpt.Of(text, 40);
}
