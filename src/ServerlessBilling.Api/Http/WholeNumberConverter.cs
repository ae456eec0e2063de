using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.Validation;

namespace ServerlessBilling.Api.Http;

/// <summary>
/// Counts in requests (seconds, request numbers, a billing day) are JSON numbers read by their value: JSON has one kind of
/// number, so <c>42</c>, <c>42.0</c> and <c>4.2e1</c> are all 42, as in a CDR batch (<see cref="CdrValidation.Integral"/>;
/// a serializer writing doubles sends <c>42.0</c>). A fraction, or a whole number past an int, is refused saying so.
/// What is no number (a string, true) is left to the serializer's own refusal ("a value has the wrong type").
/// </summary>
public sealed class WholeNumberConverter : JsonConverter<int>
{
    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonException(); // the serializer's own message: the value could not be converted
        }

        if (reader.TryGetInt32(out var value))
        {
            return value;
        }

        var text = Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
        var shown = Excerpt.Of(text, 40);
        return CdrValidation.Integral(text) switch
        {
            null => throw new JsonException($"{shown} is not a whole number"),
            { } whole when whole.Length <= 11 && int.TryParse(whole, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
            { } whole => throw new JsonException(whole.StartsWith('-')
                ? $"{shown} is less than {int.MinValue.ToString(CultureInfo.InvariantCulture)}"
                : $"{shown} is more than {int.MaxValue.ToString(CultureInfo.InvariantCulture)}"),
        };
    }

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}
