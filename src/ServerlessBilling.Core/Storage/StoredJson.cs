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
    /// <summary>
    /// Read-only from the start, with the default contracts: code that looks a contract up before anything was
    /// serialized (the SQLite store's member-by-member writer) finds the same ones the serializer uses, whatever ran first.
    /// </summary>
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase), new CurrencyConverter() },
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class CurrencyConverter : JsonConverter<Currency>
    {
        public override Currency Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Currency.TryParse(reader.GetString(), out var currency) ? currency : throw new JsonException("invalid currency code");

        public override void Write(Utf8JsonWriter writer, Currency value, JsonSerializerOptions options) => writer.WriteStringValue(value.Code);
    }
}
