using System.Text.Json;
using ServerlessBilling.Api.Contracts;

namespace ServerlessBilling.Api.Http;

/// <summary>
/// The credit-control bodies (every request of a switch) read field by field when they are plainly formed: one
/// object of the contract's camelCase names, each at most once, each value of its own JSON type or null, nothing
/// after it. Anything else (another casing, an unknown or repeated name, a wrong type, a bad time, malformed JSON) is
/// left to the serializer with <see cref="ApiJson.Options"/>, which accepts or refuses it with its own messages: this
/// only reads the bodies the serializer would read, to the same values, without its metadata.
/// </summary>
internal static class CreditBodies
{
    private static readonly StrictTimeConverter Times = new();

    /// <summary>The body, or false when the serializer must read it.</summary>
    public static bool TryRead<T>(ReadOnlySpan<byte> json, out T? body)
        where T : class
    {
        try
        {
            body = (typeof(T) == typeof(AuthorizeBody) ? Authorize(json)
                : typeof(T) == typeof(TerminateBody) ? Terminate(json)
                : typeof(T) == typeof(InterimBody) ? (object?)Interim(json)
                : null) as T;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            body = null; // malformed somewhere: the serializer says where
        }

        return body is not null;
    }

    private static readonly Field[] AuthorizeFields =
    [
        new("sessionId"u8.ToArray(), Kind.Text),
        new("accountId"u8.ToArray(), Kind.Text),
        new("callingNumber"u8.ToArray(), Kind.Text),
        new("calledNumber"u8.ToArray(), Kind.Text),
        new("startTime"u8.ToArray(), Kind.Time),
        new("requestedSeconds"u8.ToArray(), Kind.Number),
    ];

    private static readonly Field[] ReportFields =
    [
        new("requestNumber"u8.ToArray(), Kind.Number),
        new("usedSeconds"u8.ToArray(), Kind.Number),
        new("requestedSeconds"u8.ToArray(), Kind.Number),
    ];

    private static AuthorizeBody? Authorize(ReadOnlySpan<byte> json)
    {
        var v = default(Values);
        return Read(json, AuthorizeFields, ref v) ? new AuthorizeBody(v.Texts[0], v.Texts[1], v.Texts[2], v.Texts[3], v.Time, v.Numbers[5]) : null;
    }

    // A terminate has no requestedSeconds: one there goes to the serializer, which skips it.
    private static TerminateBody? Terminate(ReadOnlySpan<byte> json)
    {
        var v = default(Values);
        return Read(json, ReportFields, ref v) && v.Numbers[2] is null ? new TerminateBody(v.Numbers[0], v.Numbers[1]) : null;
    }

    private static InterimBody? Interim(ReadOnlySpan<byte> json)
    {
        var v = default(Values);
        return Read(json, ReportFields, ref v) ? new InterimBody(v.Numbers[0], v.Numbers[1], v.Numbers[2]) : null;
    }

    /// <summary>One object of these fields, each at most once; value i of its kind lands at index i.</summary>
    private static bool Read(ReadOnlySpan<byte> json, Field[] fields, ref Values values)
    {
        var r = new Utf8JsonReader(json);
        var seen = 0;
        var open = Start(ref r);
        while (open && Next(ref r))
        {
            var i = IndexOf(ref r, fields);
            open = Claim(ref seen, i) && r.Read() && fields[i].Kind switch
            {
                Kind.Text => Text(ref r, out values.Texts[i]),
                Kind.Number => Number(ref r, out values.Numbers[i]),
                _ => Time(ref r, out values.Time),
            };
        }

        return open && End(ref r);
    }

    /// <summary>The index of the field the reader's property names (escapes read), or -1.</summary>
    private static int IndexOf(ref Utf8JsonReader r, Field[] fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (r.ValueTextEquals(fields[i].Name))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool Start(ref Utf8JsonReader r) => r.Read() && r.TokenType == JsonTokenType.StartObject;

    /// <summary>True on the next property's name; false at the end of the object.</summary>
    private static bool Next(ref Utf8JsonReader r) => r.Read() && r.TokenType == JsonTokenType.PropertyName;

    /// <summary>At the object's end with nothing but white space after it (trailing content throws, and goes to the serializer).</summary>
    private static bool End(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.EndObject && !r.Read();

    /// <summary>A known field seen for the first time.</summary>
    private static bool Claim(ref int seen, int field)
    {
        if (field < 0 || (seen & (1 << field)) != 0)
        {
            return false;
        }

        seen |= 1 << field;
        return true;
    }

    private static bool Text(ref Utf8JsonReader r, out string? value)
    {
        value = r.TokenType == JsonTokenType.String ? r.GetString() : null;
        return r.TokenType is JsonTokenType.String or JsonTokenType.Null;
    }

    private static bool Number(ref Utf8JsonReader r, out int? value)
    {
        value = null;
        if (r.TokenType == JsonTokenType.Number && r.TryGetInt32(out var number))
        {
            value = number;
        }

        return value is not null || r.TokenType == JsonTokenType.Null;
    }

    private static bool Time(ref Utf8JsonReader r, out DateTimeOffset? value)
    {
        value = r.TokenType == JsonTokenType.String ? Times.Read(ref r, typeof(DateTimeOffset), ApiJson.Options) : null;
        return r.TokenType is JsonTokenType.String or JsonTokenType.Null;
    }

    private enum Kind
    {
        Text,
        Number,
        Time,
    }

    private sealed record Field(byte[] Name, Kind Kind);

    private struct Values
    {
        public Slots<string?> Texts;
        public Slots<int?> Numbers;
        public DateTimeOffset? Time;
    }

    [System.Runtime.CompilerServices.InlineArray(6)]
    private struct Slots<T>
    {
        private T _first;
    }
}
