using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// Scalars of an account document's head (money, instants, counts, flags, names) written straight to the writer, as
/// the serializer's own converters for them write them, instead of through <see cref="JsonSerializer"/>'s untyped entry
/// (a boxed value, a state for the call and a converter look-up each: a fifth of a credit-control step's serialization).
/// Chosen once per property type, and only when the options give that type the serializer's built-in converter; any
/// other type, or a type with a converter of its own, is written by the serializer as before.
/// </summary>
internal static class SqliteScalars
{
    public enum Kind
    {
        /// <summary>Not a scalar known here: written by the serializer.</summary>
        None,
        Decimal,
        DateTimeOffset,
        Int64,
        Int32,
        Boolean,
        String,
    }

    /// <summary>How a value of <paramref name="type"/> (the declared type of a property, maybe nullable) is written straight, if it can be.</summary>
    public static Kind Of(JsonTypeInfo type, JsonSerializerOptions options)
    {
        var underlying = Nullable.GetUnderlyingType(type.Type) ?? type.Type;
        var (kind, builtIn) = underlying switch
        {
            _ when underlying == typeof(decimal) => (Kind.Decimal, JsonMetadataServices.DecimalConverter),
            _ when underlying == typeof(DateTimeOffset) => (Kind.DateTimeOffset, JsonMetadataServices.DateTimeOffsetConverter),
            _ when underlying == typeof(long) => (Kind.Int64, JsonMetadataServices.Int64Converter),
            _ when underlying == typeof(int) => (Kind.Int32, JsonMetadataServices.Int32Converter),
            _ when underlying == typeof(bool) => (Kind.Boolean, JsonMetadataServices.BooleanConverter),
            _ when underlying == typeof(string) => (Kind.String, (JsonConverter)JsonMetadataServices.StringConverter),
            _ => (Kind.None, null),
        };
        // Compared by type, not by instance: the serializer makes its built-in converters lazily and without a lock, so two
        // threads reading them first at once can each get an instance of their own (seen on a fresh two-core machine).
        if (builtIn is null || options.GetTypeInfo(underlying).Converter.GetType() != builtIn.GetType() || type.NumberHandling is not null
            || (options.NumberHandling & (JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowNamedFloatingPointLiterals)) != 0)
        {
            return Kind.None;
        }

        // A nullable one must have the serializer's own nullable converter around it (one of its assembly), which writes null or the value.
        return underlying == type.Type || type.Converter.GetType().Assembly == typeof(JsonSerializer).Assembly ? kind : Kind.None;
    }

    /// <summary>Writes <paramref name="value"/> (boxed, or null) as the built-in converter would; false when <paramref name="kind"/> is <see cref="Kind.None"/>.</summary>
    public static bool TryWrite(this Kind kind, Utf8JsonWriter writer, object? value)
    {
        switch (kind)
        {
            case Kind.None:
                return false;
            case Kind.Decimal when value is decimal number:
                writer.WriteNumberValue(number);
                return true;
            case Kind.DateTimeOffset when value is DateTimeOffset instant:
                writer.WriteStringValue(instant);
                return true;
            case Kind.Int64 when value is long number:
                writer.WriteNumberValue(number);
                return true;
            case Kind.Int32 when value is int number:
                writer.WriteNumberValue(number);
                return true;
            case Kind.Boolean when value is bool flag:
                writer.WriteBooleanValue(flag);
                return true;
            case Kind.String when value is string text:
                writer.WriteStringValue(text);
                return true;
            case not Kind.None when value is null:
                writer.WriteNullValue();
                return true;
            default:
                return false;
        }
    }
}
