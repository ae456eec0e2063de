using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessBilling.Core.Money;

namespace ServerlessBilling.Core.Storage;

/// <summary>
/// The JSON of stored documents, the same for every store that keeps documents as JSON (Cosmos DB, SQLite), so
/// that an account document has one shape: camelCase, enums by name, currencies as their code, decimals as numbers.
/// </summary>
public static class StoredJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase), new CurrencyConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private sealed class CurrencyConverter : JsonConverter<Currency>
    {
        public override Currency Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Currency.TryParse(reader.GetString(), out var currency) ? currency : throw new JsonException("invalid currency code");

        public override void Write(Utf8JsonWriter writer, Currency value, JsonSerializerOptions options) => writer.WriteStringValue(value.Code);
    }
}
