using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessBilling.Core.Validation;

namespace ServerlessBilling.Api.Http;

/// <summary>
/// Times in requests are ISO 8601 with an explicit offset and lie within the platform's bounds: a time without an
/// offset means a different instant on every server, and the CDR path refuses it too.
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

    /// <summary>An ISO 8601 time with its offset (a query's time too); bounds are the caller's.</summary>
    public static bool TryParse(string text, out DateTimeOffset value)
    {
        value = default;
        return HasOffset(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    /// <summary>A date and time followed by Z or ±hh:mm.</summary>
    private static bool HasOffset(string text)
    {
        var t = text.IndexOf('T', StringComparison.Ordinal);
        if (t < 0 || text.Length < t + 2)
        {
            return false;
        }

        if (text.EndsWith('Z') || text.EndsWith('z'))
        {
            return true;
        }

        var sign = text.LastIndexOfAny(['+', '-']);
        return sign > t && text.Length - sign == 6 && text[sign + 3] == ':';
    }

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
