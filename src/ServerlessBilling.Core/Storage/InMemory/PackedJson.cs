using System.Buffers;
using System.Text.Json;

namespace ServerlessBilling.Core.Storage.InMemory;

/// <summary>
/// Compact JSON (as <see cref="StoredJson"/> writes it: no white space) packed as tokens, and back to the very same
/// bytes: property names and the short strings that many documents share (settings, labels, period bounds,
/// destinations) as numbers into a table shared by every document of the store, numbers as packed digits, dates as
/// ticks when that gives their text back exactly; ids and every other string as they were written (escapes included).
/// Exact by construction: what is not recognised is kept raw. About a third of the JSON's size for an account document.
/// </summary>
/// <remarks>
/// The table only grows, and never past <see cref="PackedStrings.MaxEntries"/> (then strings are kept raw): names
/// come from the document's shape, and values are taken only from properties whose values repeat across documents
/// (<see cref="PackedStrings.SharedValueNames"/>) and dictionary keys (period labels, destinations); session ids and other ids are never
/// taken, so the table does not grow with traffic.
/// </remarks>
internal sealed class PackedJson
{
    private const byte StartObject = 1, EndObject = 2, StartArray = 3, EndArray = 4, True = 5, False = 6, Null = 7;
    private const byte NameRaw = 8, NameNumber = 9, NameShared = 10, StringRaw = 11, StringShared = 12, Number = 13, Date = 14;

    /// <summary>Tags from here on are a shared name with a small id (tag - <see cref="SmallName"/>): most names cost one byte.</summary>
    private const byte SmallName = 16;

    private const int MaxDepth = 64;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_json;

    private readonly PackedStrings _strings = new();

    /// <summary>How many names and values the shared table holds.</summary>
    public int SharedCount => _strings.Count;

    /// <summary>Packs <paramref name="document"/>'s stored JSON (<see cref="StoredJson"/>) after the <paramref name="header"/> numbers.</summary>
    public byte[] PackDocument<T>(T document, params ReadOnlySpan<ulong> header)
    {
        var json = Buffer();
        using (var writer = new Utf8JsonWriter(json))
        {
            JsonSerializer.Serialize(writer, document, StoredJson.Options);
        }

        return Pack(json.WrittenSpan, header);
    }

    /// <summary>The document <paramref name="packed"/> (the bytes after its header) holds.</summary>
    public T UnpackDocument<T>(ReadOnlySpan<byte> packed)
        where T : class
    {
        var json = Buffer();
        Unpack(packed, json);
        return JsonSerializer.Deserialize<T>(json.WrittenSpan, StoredJson.Options) ?? throw new InvalidDataException("a packed document is null");
    }

    /// <summary>Packs <paramref name="json"/> after the <paramref name="header"/> numbers (read back with <see cref="ReadVarint"/>).</summary>
    public byte[] Pack(ReadOnlySpan<byte> json, params ReadOnlySpan<ulong> header)
    {
        var output = new ArrayBufferWriter<byte>(Math.Max(64, json.Length / 2));
        foreach (var value in header)
        {
            WriteVarint(output, value);
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        // Whether the names of the object at each depth go into the table: not the keys of "sessions", which are ids.
        Span<bool> sharedNames = stackalloc bool[MaxDepth + 2];
        var keysShared = true;
        var valueShared = false;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    Tag(output, StartObject);
                    sharedNames[reader.CurrentDepth + 1] = keysShared;
                    (keysShared, valueShared) = (true, false);
                    break;
                case JsonTokenType.EndObject:
                    Tag(output, EndObject);
                    break;
                case JsonTokenType.StartArray:
                    Tag(output, StartArray);
                    (keysShared, valueShared) = (true, false);
                    break;
                case JsonTokenType.EndArray:
                    Tag(output, EndArray);
                    break;
                case JsonTokenType.PropertyName:
                    var name = reader.ValueSpan;
                    (keysShared, valueShared) = (!name.SequenceEqual("sessions"u8), false);
                    if (IsDigits(name))
                    {
                        Tag(output, NameNumber);
                        WriteDigits(output, name);
                    }
                    else if (sharedNames[reader.CurrentDepth] && _strings.IdOf(name) is { } id)
                    {
                        if (id < 256 - SmallName)
                        {
                            Tag(output, (byte)(SmallName + id));
                        }
                        else
                        {
                            Tag(output, NameShared);
                            WriteVarint(output, (ulong)id);
                        }

                        valueShared = _strings.HasSharedValues(id);
                    }
                    else
                    {
                        Tag(output, NameRaw);
                        WriteBytes(output, name);
                    }

                    break;
                case JsonTokenType.String:
                    WriteString(output, reader.ValueSpan, valueShared);
                    valueShared = false;
                    break;
                case JsonTokenType.Number:
                    Tag(output, Number);
                    WriteDigits(output, reader.ValueSpan);
                    valueShared = false;
                    break;
                case JsonTokenType.True:
                    Tag(output, True);
                    break;
                case JsonTokenType.False:
                    Tag(output, False);
                    break;
                case JsonTokenType.Null:
                    Tag(output, Null);
                    break;
                default:
                    throw new JsonException("unexpected token " + reader.TokenType);
            }
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Writes the JSON that <paramref name="packed"/> (the bytes after its header) was packed from.</summary>
    public void Unpack(ReadOnlySpan<byte> packed, IBufferWriter<byte> json)
    {
        Span<bool> hasItems = stackalloc bool[MaxDepth + 2];
        var depth = 0;
        var afterName = false;
        var at = 0;
        while (at < packed.Length)
        {
            var tag = packed[at++];
            if (tag is EndObject or EndArray)
            {
                Put(json, tag == EndObject ? (byte)'}' : (byte)']');
                depth--;
                continue;
            }

            var isName = tag is NameRaw or NameNumber or NameShared or >= SmallName;
            if (!afterName && hasItems[depth])
            {
                Put(json, (byte)',');
            }

            hasItems[depth] = true;
            afterName = isName;
            switch (tag)
            {
                case StartObject or StartArray:
                    Put(json, tag == StartObject ? (byte)'{' : (byte)'[');
                    hasItems[++depth] = false;
                    break;
                case True:
                    json.Write("true"u8);
                    break;
                case False:
                    json.Write("false"u8);
                    break;
                case Null:
                    json.Write("null"u8);
                    break;
                case Number:
                    at += ReadDigits(packed[at..], json);
                    break;
                case NameNumber:
                    Put(json, (byte)'"');
                    at += ReadDigits(packed[at..], json);
                    json.Write("\":"u8);
                    break;
                case NameRaw or StringRaw:
                    Put(json, (byte)'"');
                    var length = (int)ReadVarint(packed, ref at);
                    json.Write(packed.Slice(at, length));
                    at += length;
                    json.Write(tag == NameRaw ? "\":"u8 : "\""u8);
                    break;
                case NameShared or StringShared or >= SmallName:
                    var id = tag >= SmallName ? tag - SmallName : (int)ReadVarint(packed, ref at);
                    Put(json, (byte)'"');
                    json.Write(_strings[id]);
                    json.Write(tag == StringShared ? "\""u8 : "\":"u8);
                    break;
                case Date:
                    var ticks = (long)ReadVarint(packed, ref at);
                    var offset = ZigZag(ReadVarint(packed, ref at));
                    Put(json, (byte)'"');
                    var written = FormatDate(new DateTimeOffset(ticks, TimeSpan.FromMinutes(offset)), json.GetSpan(40));
                    json.Advance(written);
                    Put(json, (byte)'"');
                    break;
                default:
                    throw new InvalidDataException("a packed document is corrupt");
            }
        }
    }

    private static ArrayBufferWriter<byte> Buffer()
    {
        var buffer = t_json ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        return buffer;
    }

    private void WriteString(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> value, bool shared)
    {
        if (shared && _strings.IdOf(value) is { } id)
        {
            Tag(output, StringShared);
            WriteVarint(output, (ulong)id);
        }
        else if (AsDate(value) is { } date)
        {
            Tag(output, Date);
            WriteVarint(output, (ulong)date.Ticks);
            WriteVarint(output, ZigZag((long)date.Offset.TotalMinutes));
        }
        else
        {
            Tag(output, StringRaw);
            WriteBytes(output, value);
        }
    }

    /// <summary>The date <paramref name="value"/> is, when formatting that date gives these very bytes back.</summary>
    private static DateTimeOffset? AsDate(ReadOnlySpan<byte> value)
    {
        if (value.Length is < 25 or > 33 || value[4] != '-' || value[10] != 'T' || !TryParseIso(value, out var date))
        {
            return null;
        }

        Span<byte> again = stackalloc byte[40];
        var written = FormatDate(date, again);
        return again[..written].SequenceEqual(value) ? date : null;
    }

    private static bool TryParseIso(ReadOnlySpan<byte> value, out DateTimeOffset date)
    {
        Span<char> chars = stackalloc char[value.Length];
        for (var i = 0; i < value.Length; i++)
        {
            chars[i] = (char)value[i];
        }

        return DateTimeOffset.TryParse(chars, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out date);
    }

    /// <summary>A date as <see cref="Utf8JsonWriter"/> writes it: round-trip format, the fraction's trailing zeros trimmed.</summary>
    private static int FormatDate(DateTimeOffset date, Span<byte> destination)
    {
        if (!date.TryFormat(destination, out var written, "O", System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("a date does not fit");
        }

        // yyyy-MM-ddTHH:mm:ss.fffffff then the offset: trim the fraction's trailing zeros, and the dot with them.
        const int Dot = 19;
        var end = Dot + 8;
        var keep = end;
        while (keep > Dot + 1 && destination[keep - 1] == '0')
        {
            keep--;
        }

        if (keep == Dot + 1)
        {
            keep = Dot;
        }

        var offsetLength = written - end;
        destination.Slice(end, offsetLength).CopyTo(destination[keep..]);
        return keep + offsetLength;
    }

    private static bool IsDigits(ReadOnlySpan<byte> name)
    {
        // Digits only, no leading zero (so that the text comes back as it was), e.g. the spend history's hour numbers.
        if (name.Length is 0 or > 18 || (name[0] == '0' && name.Length > 1))
        {
            return false;
        }

        foreach (var b in name)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A number's text, two characters a byte (digits, '.', '-', '+', 'e', 'E'), ended by a nibble 15.</summary>
    private static void WriteDigits(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        var span = output.GetSpan((text.Length / 2) + 1);
        var n = 0;
        for (var i = 0; i <= text.Length; i += 2)
        {
            var high = i < text.Length ? Nibble(text[i]) : 15;
            var low = i + 1 < text.Length ? Nibble(text[i + 1]) : 15;
            span[n++] = (byte)((high << 4) | low);
            if (low == 15)
            {
                break;
            }
        }

        output.Advance(n);
    }

    private static int ReadDigits(ReadOnlySpan<byte> packed, IBufferWriter<byte> json)
    {
        var at = 0;
        while (true)
        {
            var b = packed[at++];
            if (b >> 4 == 15)
            {
                return at;
            }

            Put(json, Character(b >> 4));
            if ((b & 15) == 15)
            {
                return at;
            }

            Put(json, Character(b & 15));
        }
    }

    private static int Nibble(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        (byte)'.' => 10,
        (byte)'-' => 11,
        (byte)'+' => 12,
        (byte)'e' => 13,
        (byte)'E' => 14,
        _ => throw new JsonException("not a number character"),
    };

    private static byte Character(int nibble) => nibble switch
    {
        < 10 => (byte)('0' + nibble),
        10 => (byte)'.',
        11 => (byte)'-',
        12 => (byte)'+',
        13 => (byte)'e',
        _ => (byte)'E',
    };

    private static void Tag(ArrayBufferWriter<byte> output, byte tag) => Put(output, tag);

    private static void Put(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    private static void WriteBytes(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        WriteVarint(output, (ulong)bytes.Length);
        output.Write(bytes);
    }

    private static void WriteVarint(IBufferWriter<byte> output, ulong value)
    {
        var span = output.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = unchecked((byte)(value | 0x80));
            value >>= 7;
        }

        span[n++] = (byte)value;
        output.Advance(n);
    }

    public static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    private static ulong ZigZag(long value) => unchecked((ulong)((value << 1) ^ (value >> 63)));

    private static long ZigZag(ulong value) => unchecked((long)(value >> 1) ^ -(long)(value & 1));
}
