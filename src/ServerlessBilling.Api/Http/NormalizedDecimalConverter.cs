using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessBilling.Api.Http;

/// <summary>
/// Writes amounts without the trailing zeros that decimal arithmetic carries (1.2100 → 1.21), as API.md shows
/// them; the value is unchanged. Reads JSON numbers as they are.
/// </summary>
public sealed class NormalizedDecimalConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetDecimal(out var value)
            ? value
            : throw new JsonException("an amount must be a JSON number within the range of a decimal");

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) => WriteNormalized(writer, value);

    /// <summary>The amount without its trailing zeros.</summary>
    public static void WriteNormalized(Utf8JsonWriter writer, decimal value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value / 1.0000000000000000000000000000m);
    }
}
