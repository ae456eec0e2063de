using System.Collections;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// A period's usage totals by destination, sorted by destination (ordinal), in flat arrays of <see cref="DestinationSum"/>
/// structs (about 40 bytes an entry, where a sorted tree of <see cref="UsageTotals"/> records took about 104), never
/// changed once made. <see cref="UsageTotals"/> values are made when read. Stored as the JSON object a sorted dictionary
/// of <see cref="UsageTotals"/> was (<c>{"France":{"calls":1,"billedSeconds":60,"amount":0.5}}</c>), byte for byte.
/// </summary>
/// <remarks>
/// The entries lie in leaves of at most <see cref="LeafMax"/>, in order: merging changed sums in (<see cref="With"/>) makes
/// new leaves only where they land and shares the others, so that what a fold copies does not grow with the number of
/// destinations (a table of 2,000 destinations would copy 80 KB a fold, a large object). Equal when they hold the same
/// destinations with equal figures, as two dictionaries compared entry by entry would be.
/// </remarks>
[JsonConverter(typeof(DestinationTotalsConverter))]
public sealed class DestinationTotals : IReadOnlyDictionary<string, UsageTotals>, IEquatable<DestinationTotals>
{
    /// <summary>How many entries a leaf holds at most; a merge that makes one longer splits it in halves.</summary>
    internal const int LeafMax = 32;

    public static readonly DestinationTotals Empty = new([], 0);

    private readonly DestinationSum[][] _leaves;

    /// <summary>Takes <paramref name="leaves"/> as they are: none empty, sorted by destination (ordinal) across them, each destination once.</summary>
    private DestinationTotals(DestinationSum[][] leaves, int count) => (_leaves, Count) = (leaves, count);

    public int Count { get; }

    public IEnumerable<string> Keys => this.Select(s => s.Key);

    public IEnumerable<UsageTotals> Values => this.Select(s => s.Value);

    /// <summary>The entries, in leaves, sorted by destination.</summary>
    internal IReadOnlyList<DestinationSum[]> Leaves => _leaves;

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

    public bool ContainsKey(string key) => TryGetSum(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out UsageTotals value)
    {
        var found = TryGetSum(key, out var sum);
        value = found ? sum.Totals : null;
        return found;
    }

    /// <summary>The figures of <paramref name="destination"/>, when it has any.</summary>
    internal bool TryGetSum(string destination, out DestinationSum sum)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var leaf = LeafOf(destination);
        var at = leaf < 0 ? -1 : Search(_leaves[leaf], destination);
        sum = at >= 0 ? _leaves[leaf][at] : default;
        return at >= 0;
    }

    /// <summary>
    /// These totals with <paramref name="changed"/> set: sums sorted by destination, each once, that replace this table's
    /// for their destination or join it (<paramref name="added"/> of them new). One pass; new leaves only where they land.
    /// </summary>
    internal DestinationTotals With(ReadOnlySpan<DestinationSum> changed, int added)
    {
        if (changed.IsEmpty)
        {
            return this;
        }

        var leaves = new List<DestinationSum[]>(_leaves.Length + 1 + (added / (LeafMax / 2)));
        var at = 0;
        for (var leaf = 0; leaf < _leaves.Length; leaf++)
        {
            // The leaf takes the changed sums before the next leaf's first destination (the last leaf, all that are left).
            var end = at;
            while (end < changed.Length && (leaf == _leaves.Length - 1 || string.CompareOrdinal(changed[end].Destination, _leaves[leaf + 1][0].Destination) < 0))
            {
                end++;
            }

            if (end == at)
            {
                leaves.Add(_leaves[leaf]);
                continue;
            }

            AddSplit(leaves, Merge(_leaves[leaf], changed[at..end]));
            at = end;
        }

        if (at < changed.Length)
        {
            AddSplit(leaves, changed[at..].ToArray());
        }

        return new DestinationTotals([.. leaves], Count + added);
    }

    public Enumerator GetEnumerator() => new(_leaves);

    IEnumerator<KeyValuePair<string, UsageTotals>> IEnumerable<KeyValuePair<string, UsageTotals>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(DestinationTotals? other)
    {
        if (other is null || other.Count != Count)
        {
            return false;
        }

        if (ReferenceEquals(_leaves, other._leaves))
        {
            return true;
        }

        var (mine, theirs) = (_leaves.SelectMany(l => l), other._leaves.SelectMany(l => l));
        return mine.SequenceEqual(theirs);
    }

    public override bool Equals(object? obj) => Equals(obj as DestinationTotals);

    public override int GetHashCode() => Count;

    /// <summary><paramref name="sums"/> sorted, the last of a destination given twice kept.</summary>
    internal static DestinationTotals Sorted(List<DestinationSum> sums)
    {
        var sorted = true;
        for (var i = 1; i < sums.Count && sorted; i++)
        {
            sorted = string.CompareOrdinal(sums[i - 1].Destination, sums[i].Destination) < 0;
        }

        if (!sorted)
        {
            // Stable, so that the last of a destination given twice comes last among its own.
            var ordered = sums.Select((sum, i) => (sum, i)).OrderBy(s => s.sum.Destination, StringComparer.Ordinal).ThenBy(s => s.i).Select(s => s.sum).ToList();
            sums = new List<DestinationSum>(ordered.Count);
            foreach (var sum in ordered)
            {
                if (sums.Count > 0 && sums[^1].Destination == sum.Destination)
                {
                    sums[^1] = sum;
                }
                else
                {
                    sums.Add(sum);
                }
            }
        }

        return Empty.With(CollectionsMarshal.AsSpan(sums), sums.Count);
    }

    /// <summary>Adds <paramref name="merged"/> as one leaf, or as halves (and their halves) when longer than <see cref="LeafMax"/>.</summary>
    private static void AddSplit(List<DestinationSum[]> leaves, DestinationSum[] merged)
    {
        if (merged.Length <= LeafMax)
        {
            leaves.Add(merged);
            return;
        }

        var pieces = (merged.Length + (LeafMax / 2) - 1) / (LeafMax / 2);
        for (var piece = 0; piece < pieces; piece++)
        {
            var (from, to) = (merged.Length * piece / pieces, merged.Length * (piece + 1) / pieces);
            leaves.Add(merged[from..to]);
        }
    }

    /// <summary><paramref name="leaf"/> with <paramref name="changed"/> (sorted, each once) set: one pass, one array.</summary>
    private static DestinationSum[] Merge(DestinationSum[] leaf, ReadOnlySpan<DestinationSum> changed)
    {
        var (from, at, shared) = (0, 0, 0);
        while (from < leaf.Length && at < changed.Length)
        {
            var order = string.CompareOrdinal(leaf[from].Destination, changed[at].Destination);
            (from, at, shared) = (from + (order <= 0 ? 1 : 0), at + (order >= 0 ? 1 : 0), shared + (order == 0 ? 1 : 0));
        }

        var merged = new DestinationSum[leaf.Length + changed.Length - shared];
        (from, at) = (0, 0);
        var to = 0;
        while (from < leaf.Length && at < changed.Length)
        {
            var order = string.CompareOrdinal(leaf[from].Destination, changed[at].Destination);
            merged[to++] = order < 0 ? leaf[from++] : changed[at++];
            from += order == 0 ? 1 : 0;
        }

        leaf.AsSpan(from).CopyTo(merged.AsSpan(to));
        changed[at..].CopyTo(merged.AsSpan(to + leaf.Length - from));
        return merged;
    }

    /// <summary>The leaf that holds <paramref name="destination"/> if any does: the last whose first destination is not after it (-1: none).</summary>
    private int LeafOf(string destination)
    {
        var (low, high) = (0, _leaves.Length - 1);
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            (low, high) = string.CompareOrdinal(_leaves[middle][0].Destination, destination) <= 0 ? (middle + 1, high) : (low, middle - 1);
        }

        return low - 1;
    }

    private static int Search(DestinationSum[] leaf, string destination)
    {
        var (low, high) = (0, leaf.Length - 1);
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = string.CompareOrdinal(leaf[middle].Destination, destination);
            if (order == 0)
            {
                return middle;
            }

            (low, high) = order < 0 ? (middle + 1, high) : (low, middle - 1);
        }

        return -1;
    }

    public struct Enumerator(DestinationSum[][] leaves) : IEnumerator<KeyValuePair<string, UsageTotals>>
    {
        private int _leaf;
        private int _at = -1;

        public readonly KeyValuePair<string, UsageTotals> Current => new(leaves[_leaf][_at].Destination, leaves[_leaf][_at].Totals);

        readonly object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (_leaf >= leaves.Length)
            {
                return false;
            }

            if (++_at < leaves[_leaf].Length)
            {
                return true;
            }

            (_leaf, _at) = (_leaf + 1, 0);
            return _leaf < leaves.Length;
        }

        public void Reset() => (_leaf, _at) = (0, -1);

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
        foreach (var leaf in value.Leaves)
        {
            foreach (ref readonly var sum in leaf.AsSpan())
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
