using System.Globalization;
using System.Text;

namespace ServerlessBilling.Benchmarks.Data;

/// <summary>
/// A realistic, reproducible rate deck: every country code, then nested prefixes of 2 to 9 digits under
/// them (more under busy countries), with 60/60, 30/6 and 1/1 tariffs, some connect fees, and some
/// prefixes whose rate changes mid-year (two rows with adjacent effective ranges) or starts later.
/// </summary>
public sealed class SyntheticDeck
{
    public const int DefaultRows = 200_000;
    public const int MaxPrefixLength = 9;

    private static readonly string[] Kinds = ["Fixed", "Mobile", "Mobile", "Mobile", "Premium", "Special Services", "Fixed", "Paging"];
    private static readonly string[] Operators = ["Vodacell", "Orangeline", "T-Net", "Telefon Nord", "Airtime", "Globalnet", "Skylink", "Metrotel"];
    private static readonly string[] Cities = ["Capital", "North", "South", "East", "West", "Coast", "Central", "Islands"];

    private readonly List<string> _lines;

    private SyntheticDeck(List<string> lines, List<string> prefixes)
    {
        _lines = lines;
        Prefixes = prefixes;
    }

    /// <summary>Every distinct prefix of the deck.</summary>
    public IReadOnlyList<string> Prefixes { get; }

    /// <summary>Rows, header excluded.</summary>
    public int Rows => _lines.Count - 1;

    public static SyntheticDeck Create(int rows = DefaultRows, int seed = 2026)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, Countries.All.Count * 2);
        var random = new Random(seed);
        var lines = new List<string>(rows + 1) { "prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to" };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var prefixes = new List<string>(rows);
        var byCountry = Countries.All.Select(_ => new List<(string Prefix, string Destination)>()).ToArray();
        var weights = Countries.All.Select(c => c.Weight).ToArray();
        var totalWeight = weights.Sum();

        void Add(int country, string prefix, string destination)
        {
            seen.Add(prefix);
            prefixes.Add(prefix);
            byCountry[country].Add((prefix, destination));
            AddRows(lines, random, prefix, destination, rows);
        }

        for (var c = 0; c < Countries.All.Count; c++)
        {
            Add(c, Countries.All[c].Code, Countries.All[c].Name);
        }

        while (lines.Count <= rows)
        {
            var country = PickWeighted(random, weights, totalWeight);
            var children = byCountry[country];
            var (parent, parentDestination) = children[random.Next(children.Count)];
            if (parent.Length >= MaxPrefixLength)
            {
                continue;
            }

            var digits = random.Next(4) == 0 ? 2 : 1;
            var prefix = parent + Digits(random, Math.Min(digits, MaxPrefixLength - parent.Length));
            if (seen.Contains(prefix))
            {
                continue;
            }

            Add(country, prefix, ChildDestination(random, Countries.All[country].Name, parent.Length == Countries.All[country].Code.Length ? null : parentDestination));
        }

        return new SyntheticDeck(lines, prefixes);
    }

    public void WriteCsv(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var line in _lines)
        {
            writer.Write(line);
            writer.Write('\n');
        }
    }

    public string ToCsv()
    {
        var text = new StringBuilder(_lines.Count * 64);
        using var writer = new StringWriter(text);
        WriteCsv(writer);
        return text.ToString();
    }

    private static void AddRows(List<string> lines, Random random, string prefix, string destination, int maxRows)
    {
        var (min, increment) = random.Next(100) switch
        {
            < 40 => (60, 60),
            < 65 => (30, 6),
            < 95 => (1, 1),
            _ => (0, 60),
        };
        var rate = random.Next(10, 4000) / 10_000m;
        var connectFee = random.Next(10) == 0 ? random.Next(100, 500) / 10_000m : 0m;
        var kind = random.Next(100);
        var quoted = destination.Contains(',', StringComparison.Ordinal) ? $"\"{destination}\"" : destination;
        if (kind < 5 && lines.Count < maxRows)
        {
            // The rate changes on 1 July: the old row ends where the new one starts (effective_to is exclusive).
            lines.Add(Row(prefix, quoted, rate, connectFee, min, increment, "", "2026-07-01"));
            lines.Add(Row(prefix, quoted, rate + (random.Next(1, 50) / 10_000m), connectFee, min, increment, "2026-07-01", ""));
        }
        else if (kind < 7)
        {
            // A new range opened in March: earlier calls fall back to a shorter prefix.
            lines.Add(Row(prefix, quoted, rate, connectFee, min, increment, "2026-03-01", ""));
        }
        else
        {
            lines.Add(Row(prefix, quoted, rate, connectFee, min, increment, "", ""));
        }
    }

    private static string Row(string prefix, string destination, decimal rate, decimal connectFee, int min, int increment, string from, string to) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix},{destination},{rate:0.0000},{connectFee:0.####},{min},{increment},{from},{to}");

    private static string ChildDestination(Random random, string country, string? parentDestination)
    {
        if (parentDestination is not null && random.Next(3) != 0)
        {
            return parentDestination; // most sub-ranges belong to their parent's destination
        }

        return Kinds[random.Next(Kinds.Length)] switch
        {
            "Mobile" => $"{country} Mobile - {Operators[random.Next(Operators.Length)]}",
            "Fixed" => $"{country} Fixed - {Cities[random.Next(Cities.Length)]}",
            var kind => $"{country} {kind}",
        };
    }

    internal static string Digits(Random random, int count) =>
        string.Create(count, random, static (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('0' + r.Next(10));
            }
        });

    internal static int PickWeighted(Random random, int[] weights, int totalWeight)
    {
        var pick = random.Next(totalWeight);
        for (var i = 0; i < weights.Length; i++)
        {
            pick -= weights[i];
            if (pick < 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }
}
