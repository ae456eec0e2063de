using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Tests.Rating;

/// <summary>
/// The prefix index answers like a scan of every row for the longest effective prefix, whatever the prefixes' lengths
/// (up to the 32 digits a deck allows), and its size follows the number of prefixes, not their length.
/// </summary>
public sealed class PrefixIndexTests
{
    private static readonly Tariff Flat = new(0.01m, 0m, 60, 60);
    private static readonly DateOnly Epoch = new(2026, 1, 1);

    // Few distinct digits, so that prefixes nest and numbers share leading zeros ("044" against "44").
    private static readonly Gen<string> Prefixes =
        from length in Gen.Frequency((3, Gen.Choose(1, 6)), (1, Gen.Choose(7, 18)), (1, Gen.Choose(19, 32)))
        from digits in Gen.Elements('0', '1', '4').ArrayOf(length)
        select new string(digits);

    private static readonly Gen<RateDeckRow> Rows =
        from prefix in Prefixes
        from start in Gen.Frequency((2, Gen.Constant<int?>(null)), (1, Gen.Choose(0, 20).Select(d => (int?)d)))
        from days in Gen.Frequency((2, Gen.Constant<int?>(null)), (1, Gen.Choose(1, 20).Select(d => (int?)d)))
        from line in Gen.Choose(2, 1000)
        select new RateDeckRow(
            prefix,
            prefix,
            Flat,
            start is { } f ? Epoch.AddDays(f) : null,
            days is { } d ? Epoch.AddDays((start ?? 0) + d) : null,
            line);

    private static readonly Gen<(RateDeckRow[] Rows, (string Number, long Ticks)[] Lookups)> Cases =
        from shortOnly in Gen.Elements(true, false)
        from rows in Rows.Where(r => !shortOnly || r.Prefix.Length <= 18).ArrayOf()
        from lookups in Lookup(rows).ArrayOf()
        select (rows, lookups);

    private static Gen<(string Number, long Ticks)> Lookup(RateDeckRow[] rows) =>
        from start in rows.Length == 0
            ? Gen.Constant(string.Empty)
            : Gen.Frequency((3, Gen.Elements(rows).Select(r => r.Prefix)), (1, Gen.Constant(string.Empty)))
        from tail in Gen.Elements('0', '1', '4', '9').ArrayOf()
        let number = (start + new string(tail)) is { Length: > 0 } n ? n[..Math.Min(n.Length, CalledNumber.MaxDigits)] : "4"
        from day in Gen.Choose(-1, 45)
        select (number, Epoch.AddDays(day).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).Ticks + 1);

    private static RateDeckRow? Scan(RateDeckRow[] rows, string number, long ticks) =>
        rows.Where(r => number.StartsWith(r.Prefix, StringComparison.Ordinal) && ticks >= r.FromTicks && ticks < r.ToTicks)
            .OrderByDescending(r => r.Prefix.Length)
            .ThenBy(r => r.FromTicks)
            .FirstOrDefault();

    [Property(MaxTest = 300)]
    public Property Finds_what_a_scan_of_every_row_finds() =>
        Prop.ForAll(Arb.From(Cases), c =>
        {
            var index = new PrefixIndex(c.Rows);
            return c.Lookups.All(l => ReferenceEquals(index.Find(l.Number, l.Ticks), Scan(c.Rows, l.Number, l.Ticks)));
        });

    [Theory]
    [InlineData(32)]
    [InlineData(18)]
    [InlineData(12)]
    public void Building_costs_a_small_multiple_of_the_prefixes_not_a_node_per_digit(int length)
    {
        var random = new Random(7);
        var prefixes = new HashSet<string>();
        while (prefixes.Count < 20_000)
        {
            prefixes.Add(string.Create(length, random, (span, r) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = (char)('0' + r.Next(10));
                }
            }));
        }

        var rows = prefixes.Select((p, i) => new RateDeckRow(p, "Somewhere", Flat, null, null, i + 2)).ToArray();
        var input = rows.Sum(r => sizeof(char) * (long)r.Prefix.Length);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var index = new PrefixIndex(rows);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // A digit trie of 12 ints a node took about 25 times the prefixes' own size on 12 digits, 45 on 32. The hash table
        // takes 4,009,200 bytes on 12 digits in a run of this test alone (8.4 times, with or without tiered compilation;
        // the sort's buffers are most of it), so the bound is 12 times: still under half of what the trie took.
        Assert.True(allocated < 12 * Math.Max(input, 20_000 * 24L), $"{allocated:N0} bytes for {input:N0} bytes of prefixes");
        Assert.Same(rows[123], index.Find(rows[123].Prefix + "1", 0));
    }
}
