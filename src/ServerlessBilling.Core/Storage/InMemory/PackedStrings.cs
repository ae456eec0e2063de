using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace ServerlessBilling.Core.Storage.InMemory;

/// <summary>
/// The strings that packed documents (<see cref="PackedJson"/>) name by number: property names and values that repeat
/// across documents, as their exact JSON bytes. It only grows, and never past <see cref="MaxEntries"/> entries of at
/// most <see cref="MaxLength"/> bytes each (a few MB at most); beyond that, strings are kept raw in each document.
/// </summary>
internal sealed class PackedStrings
{
    public const int MaxEntries = 65_536;
    public const int MaxLength = 128;

    /// <summary>Properties whose string values many documents share; the values of others (ids, free text) are kept raw.</summary>
    public static readonly FrozenSet<string> SharedValueNames = new[]
    {
        "name", "mode", "currency", "rateDeckId", "timeZone", "treatment", "status", "suspendReason", "policyWaivedFor",
        "periodLabel", "closedThrough", "label", "periodStart", "periodEnd", "start", "end", "prefix", "destination", "resultCode",
    }.ToFrozenSet(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private (byte[] Bytes, bool SharedValues)[] _entries = new (byte[], bool)[64];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>The bytes of entry <paramref name="id"/>.</summary>
    public byte[] this[int id] => Volatile.Read(ref _entries)[id].Bytes;

    /// <summary>Whether entry <paramref name="id"/>, as a property name, is one whose values are shared.</summary>
    public bool HasSharedValues(int id) => Volatile.Read(ref _entries)[id].SharedValues;

    /// <summary>The number of <paramref name="bytes"/>, added when new; null when too long or the table is full.</summary>
    public int? IdOf(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxLength)
        {
            return null;
        }

        // Each byte as one char: a key per byte sequence, whatever the encoding.
        Span<char> key = stackalloc char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            key[i] = (char)bytes[i];
        }

        var lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(key, out var id))
        {
            return id;
        }

        lock (_gate)
        {
            if (lookup.TryGetValue(key, out id))
            {
                return id;
            }

            if (_count >= MaxEntries)
            {
                return null;
            }

            var entries = _entries;
            if (_count == entries.Length)
            {
                Array.Resize(ref entries, entries.Length * 2);
            }

            var text = new string(key);
            entries[_count] = (bytes.ToArray(), SharedValueNames.Contains(text));
            // The entry is in the array before its number is handed out.
            Volatile.Write(ref _entries, entries);
            id = _count;
            _ids[text] = id;
            Volatile.Write(ref _count, _count + 1);
            return id;
        }
    }
}
