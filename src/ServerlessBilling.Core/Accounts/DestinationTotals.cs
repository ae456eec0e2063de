using System.Collections;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// A period's usage totals by destination, sorted by destination (ordinal): one flat array of
/// <see cref="DestinationSum"/> (about 40 bytes an entry, where a sorted tree of <see cref="UsageTotals"/> took about 104),
/// never changed once made. <see cref="UsageTotals"/> values are made when read. Stored as the JSON object a sorted
/// dictionary of <see cref="UsageTotals"/> was (<c>{"France":{"calls":1,"billedSeconds":60,"amount":0.5}}</c>), byte for byte.
/// </summary>
/// <remarks>Equal when they hold the same destinations with equal figures, as two dictionaries compared entry by entry would be.</remarks>
[JsonConverter(typeof(DestinationTotalsConverter))]
public sealed class DestinationTotals : IReadOnlyDictionary<string, UsageTotals>, IEquatable<DestinationTotals>
{
    public static readonly DestinationTotals Empty = new([]);

    private readonly DestinationSum[] _sums;

    /// <summary>Takes <paramref name="sums"/> as they are: sorted by destination (ordinal), each destination once.</summary>
    private DestinationTotals(DestinationSum[] sums) => _sums = sums;

    public int Count => _sums.Length;

    public IEnumerable<string> Keys => _sums.Select(s => s.Destination);

    public IEnumerable<UsageTotals> Values => _sums.Select(s => s.Totals);

    /// <summary>The sums, sorted by destination.</summary>
    internal ReadOnlySpan<DestinationSum> Sums => _sums;

    public UsageTotals this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no totals for destination '{key}'");

    /// <summary>A copy of <paramref name="totals"/> (the sorted dictionary the totals used to be).</summary>
    public static implicit operator DestinationTotals(ImmutableSortedDictionary<string, UsageTotals> totals) => From(totals);

    /// <summary>The totals of <paramref name="totals"/>, sorted; a destination given twice keeps its last figures.</summary>
    public static DestinationTotals From(IEnumerable<KeyValuePair<string, UsageTotals>> totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        var sums = totals.Select(t => new DestinationSum(t.Key, t.Value.Calls, t.Value.BilledSeconds, t.Value.Amount)).ToList();
        return Sorted(sums);
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out UsageTotals value)
    {
        var at = IndexOf(key);
        value = at >= 0 ? _sums[at].Totals : null;
        return at >= 0;
    }

    /// <summary>Where <paramref name="destination"/> is in <see cref="Sums"/>, or the complement of where it would go.</summary>
    internal int IndexOf(string destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var (low, high) = (0, _sums.Length - 1);
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = string.CompareOrdinal(_sums[middle].Destination, destination);
            if (order == 0)
            {
                return middle;
            }

            (low, high) = order < 0 ? (middle + 1, high) : (low, middle - 1);
        }

        return ~low;
    }

    /// <summary>
    /// These totals with <paramref name="changed"/> set: sums sorted by destination, each once, that replace this table's
    /// for their destination or join it. One pass, one array.
    /// </summary>
    internal DestinationTotals With(ReadOnlySpan<DestinationSum> changed, int added)
    {
        if (changed.IsEmpty)
        {
            return this;
        }

        var merged = new DestinationSum[_sums.Length + added];
        var (at, from, to) = (0, 0, 0);
        while (from < _sums.Length && at < changed.Length)
        {
            var order = string.CompareOrdinal(_sums[from].Destination, changed[at].Destination);
            merged[to++] = order < 0 ? _sums[from++] : changed[at++];
            if (order == 0)
            {
                from++;
            }
        }

        _sums.AsSpan(from).CopyTo(merged.AsSpan(to));
        to += _sums.Length - from;
        changed[at..].CopyTo(merged.AsSpan(to));
        to += changed.Length - at;
        return to == merged.Length ? new DestinationTotals(merged) : throw new InvalidOperationException("destination totals merged with a wrong count of new destinations");
    }

    public Enumerator GetEnumerator() => new(_sums);

    IEnumerator<KeyValuePair<string, UsageTotals>> IEnumerable<KeyValuePair<string, UsageTotals>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(DestinationTotals? other) =>
        other is not null && (ReferenceEquals(_sums, other._sums) || _sums.AsSpan().SequenceEqual(other._sums));

    public override bool Equals(object? obj) => Equals(obj as DestinationTotals);

    public override int GetHashCode() => _sums.Length;

    /// <summary><paramref name="sums"/> sorted, the last of a destination given twice kept.</summary>
    internal static DestinationTotals Sorted(List<DestinationSum> sums)
    {
        if (sums.Count == 0)
        {
            return Empty;
        }

        var sorted = true;
        for (var i = 1; i < sums.Count && sorted; i++)
        {
            sorted = string.CompareOrdinal(sums[i - 1].Destination, sums[i].Destination) < 0;
        }

        if (sorted)
        {
            return new DestinationTotals([.. sums]);
        }

        // Stable, so that the last of a destination given twice comes last among its own.
        var ordered = sums.Select((sum, i) => (sum, i)).OrderBy(s => s.sum.Destination, StringComparer.Ordinal).ThenBy(s => s.i).Select(s => s.sum).ToList();
        var unique = new List<DestinationSum>(ordered.Count);
        foreach (var sum in ordered)
        {
            if (unique.Count > 0 && unique[^1].Destination == sum.Destination)
            {
                unique[^1] = sum;
            }
            else
            {
                unique.Add(sum);
            }
        }

        return new DestinationTotals([.. unique]);
    }

    public struct Enumerator(DestinationSum[] sums) : IEnumerator<KeyValuePair<string, UsageTotals>>
    {
        private int _at = -1;

        public readonly KeyValuePair<string, UsageTotals> Current => new(sums[_at].Destination, sums[_at].Totals);

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => ++_at < sums.Length;

        public void Reset() => _at = -1;

        public readonly void Dispose()
        {
        }
    }
}

/// <summary>One destination's figures in <see cref="DestinationTotals"/> (or what a charge adds to them): a flat struct, no object of its own.</summary>
public readonly record struct DestinationSum(string Destination, int Calls, long BilledSeconds, decimal Amount)
{
    public UsageTotals Totals => new(Calls, BilledSeconds, Amount);

    /// <summary>These figures and <paramref name="calls"/>, <paramref name="billedSeconds"/>, <paramref name="amount"/> added, as <see cref="UsageTotals.Add"/> adds them.</summary>
    public DestinationSum Plus(int calls, long billedSeconds, decimal amount) =>
        this with { Calls = Calls + calls, BilledSeconds = BilledSeconds + billedSeconds, Amount = Amount + amount };
}

/// <summary>
/// <see cref="DestinationTotals"/> as the JSON object its sorted dictionary was: a property per destination, in order,
/// whose value is the <see cref="UsageTotals"/> object. With the stored JSON's options (<see cref="StoredJson"/>) the figures are
/// written and read directly; with any other options, and for any value the direct reader does not expect (names in
/// another case, numbers as strings), through the options' own contract of <see cref="UsageTotals"/>, as before.
/// </summary>
internal sealed class DestinationTotalsConverter : JsonConverter<DestinationTotals>
{
    private static readonly JsonEncodedText Calls = JsonEncodedText.Encode("calls");
    private static readonly JsonEncodedText BilledSeconds = JsonEncodedText.Encode("billedSeconds");
    private static readonly JsonEncodedText Amount = JsonEncodedText.Encode("amount");

    [ThreadStatic]
    private static List<DestinationSum>? t_read;

    public override DestinationTotals Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("destination totals are not an object");
        }

        // Nothing read inside a destination's figures reads destination totals: one list a thread is enough.
        var sums = t_read ??= [];
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var destination = reader.GetString()!;
                reader.Read();
                if (TryReadDirect(ref reader, options, destination) is { } direct)
                {
                    sums.Add(direct);
                    continue;
                }

                var figures = JsonSerializer.Deserialize<UsageTotals>(ref reader, options) ?? throw new JsonException($"the totals of destination '{destination}' are null");
                sums.Add(new DestinationSum(destination, figures.Calls, figures.BilledSeconds, figures.Amount));
            }

            return reader.TokenType == JsonTokenType.EndObject ? DestinationTotals.Sorted(sums) : throw new JsonException("destination totals are not an object");
        }
        finally
        {
            sums.Clear();
        }
    }

    public override void Write(Utf8JsonWriter writer, DestinationTotals value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        var direct = ReferenceEquals(options, StoredJson.Options);
        foreach (ref readonly var sum in value.Sums)
        {
            if (direct)
            {
                writer.WritePropertyName(sum.Destination);
                writer.WriteStartObject();
                writer.WriteNumber(Calls, sum.Calls);
                writer.WriteNumber(BilledSeconds, sum.BilledSeconds);
                writer.WriteNumber(Amount, sum.Amount);
                writer.WriteEndObject();
            }
            else
            {
                writer.WritePropertyName(options.DictionaryKeyPolicy?.ConvertName(sum.Destination) ?? sum.Destination);
                JsonSerializer.Serialize(writer, sum.Totals, options);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// The figures of the object at <paramref name="reader"/> when it is exactly what <see cref="Write"/> writes with the
    /// stored options (the reader then on its end); otherwise null, the reader where it was.
    /// </summary>
    private static DestinationSum? TryReadDirect(ref Utf8JsonReader reader, JsonSerializerOptions options, string destination)
    {
        if (!ReferenceEquals(options, StoredJson.Options) || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var start = reader;
        if (Next(ref reader, "calls"u8) && reader.TryGetInt32(out var calls)
            && Next(ref reader, "billedSeconds"u8) && reader.TryGetInt64(out var billedSeconds)
            && Next(ref reader, "amount"u8) && reader.TryGetDecimal(out var amount)
            && reader.Read() && reader.TokenType == JsonTokenType.EndObject)
        {
            return new DestinationSum(destination, calls, billedSeconds, amount);
        }

        reader = start;
        return null;
    }

    /// <summary>Moves to the value of the next property, when it is named <paramref name="name"/> and is a number.</summary>
    private static bool Next(ref Utf8JsonReader reader, ReadOnlySpan<byte> name) =>
        reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals(name)
        && reader.Read() && reader.TokenType == JsonTokenType.Number;
}
