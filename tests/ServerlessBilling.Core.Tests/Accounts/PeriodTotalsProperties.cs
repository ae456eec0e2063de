using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Tests.Accounts;

/// <summary>
/// The totals by destination against their reference model, a sorted dictionary to which each charge is added at once
/// (<see cref="UsageTotals.Add"/> on the destination's totals): the same figures and the same stored JSON, byte for byte,
/// whichever version of a line of totals is added to (versions share the log of charges not yet in the tree), in runs
/// of any length (past the fold at <see cref="DestinationLog.FoldAfter"/>), read or not in between, and after a round
/// trip through the stored JSON. The model's JSON is the old stored form (a sorted dictionary of <see cref="UsageTotals"/>,
/// written by the serializer's own converter), so the flat table's is checked against it byte for byte.
/// </summary>
public sealed class PeriodTotalsProperties
{
    private static readonly string[] Destinations =
        ["France", "Germany", "United Kingdom", "United Kingdom - Mobile", "Zimbabwe", "france", "Côte d'Ivoire", "A/B \\ \"C\" <&>", "日本", "Ω"];
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Each step is one number drawn from the seed: which earlier version to continue from (a third of the time an older
    /// one, so that two versions append after the same charges), how many charges to add (one, through
    /// <see cref="PeriodTotals.Add"/>, or a run through <see cref="PeriodTotals.AddAll"/>), whether to read the totals
    /// first or to store and read them back, and the charges' figures (amounts of several scales, so that a sum's scale shows).
    /// </summary>
    [Property(MaxTest = 300)]
    public Property Totals_by_destination_are_the_charges_added_one_at_a_time(int seed, PositiveInt length) =>
        Differs(seed, length.Get) is { } why ? false.Label(why) : true.ToProperty();

    /// <summary>
    /// The label, bounds, late usage and top-ups lie in an object the versions of the totals share, and the total's figures
    /// lie flat: a copy with new bounds or top-ups, or late usage added, leaves the totals it came from alone, and the
    /// stored JSON has the members it had as a positional record, in the same order, and reads back as the same bytes.
    /// </summary>
    [Fact]
    public void Totals_copied_with_new_bounds_top_ups_or_late_usage_leave_the_original_alone()
    {
        var end = Start.AddMonths(1);
        var charged = new PeriodTotals("2026-11", Start, end).Add(new ChargeLine(1.50m, 60, 1, "France", Start));
        var moved = charged with { End = end.AddDays(3), TopUps = 2.00m };
        var late = moved.AddLate("2026-10", Start.AddMonths(-1), Start, new ChargeLine(0.25m, 6, 1, "Ω", Start.AddDays(-3)))
            .Add(new ChargeLine(0.5m, 30, 0, "France", Start.AddDays(1)));

        Assert.Equal((end, 0m, 0, new UsageTotals(1, 60, 1.50m)), (charged.End, charged.TopUps, charged.Late.Count, charged.Total));
        Assert.Equal((end.AddDays(3), 2.00m, 0, new UsageTotals(1, 60, 1.50m)), (moved.End, moved.TopUps, moved.Late.Count, moved.Total));
        Assert.Equal((end.AddDays(3), 2.00m, 1, new UsageTotals(1, 90, 2.00m), 2.25m), (late.End, late.TopUps, late.Late.Count, late.Total, late.UsageAmount));
        Assert.Equal(("2026-11", Start, end), (charged.Label, charged.Start, charged.End));
        var (label, start, stop) = late;
        Assert.Equal(("2026-11", Start, end.AddDays(3)), (label, start, stop));
        Assert.NotEqual(charged, moved);
        Assert.Equal(moved, moved with { });
        Assert.Equal(moved.GetHashCode(), (moved with { }).GetHashCode());

        Assert.Equal(
            """{"label":"2026-11","start":"2026-11-01T00:00:00+00:00","end":"2026-12-04T00:00:00+00:00","total":{"calls":1,"billedSeconds":60,"amount":1.50},"byDestination":{"France":{"calls":1,"billedSeconds":60,"amount":1.50}},"late":{},"topUps":2.00,"usageAmount":1.50}""",
            JsonSerializer.Serialize(moved, StoredJson.Options));
        foreach (var totals in new[] { charged, moved, late })
        {
            var json = JsonSerializer.Serialize(totals, StoredJson.Options);
            var read = JsonSerializer.Deserialize<PeriodTotals>(json, StoredJson.Options)!;
            Assert.Equal(json, JsonSerializer.Serialize(read, StoredJson.Options));
            Assert.Equal((totals.Label, totals.Start, totals.End, totals.Total, totals.TopUps), (read.Label, read.Start, read.End, read.Total, read.TopUps));
        }
    }

    /// <summary>Where a line of versions drawn from <paramref name="seed"/> differs from the model (null when it does not).</summary>
    internal static string? Differs(int seed, int length)
    {
        // Long lines of versions, drawn from the seed: FsCheck's own arrays are short and their numbers small.
        var random = new Random(seed);
        var steps = Enumerable.Range(0, 1 + (length % 120)).Select(_ => random.Next()).ToArray();
        var versions = new List<PeriodTotals> { new("2026-11", Start, Start.AddMonths(1)) };
        var models = new List<(UsageTotals Total, ImmutableSortedDictionary<string, UsageTotals> ByDestination)> { (UsageTotals.Zero, Empty) };
        foreach (var value in steps)
        {
            var version = value % 3 == 0 ? (value / 3) % versions.Count : versions.Count - 1;
            var (totals, model) = (versions[version], models[version]);
            switch ((value / 5) % 8)
            {
                case 0:
                    _ = totals.ByDestination.Count;
                    break;
                case 1:
                    totals = JsonSerializer.Deserialize<PeriodTotals>(Json(totals), StoredJson.Options)!;
                    break;
            }

            var charges = Charges(value, (value / 7) % 3 == 0 ? 1 : 1 + ((value / 11) % 40));
            totals = charges.Count == 1 && (value / 7) % 2 == 0 ? totals.Add(charges[0]) : totals.AddAll(charges, 0, charges.Count);
            foreach (var charge in charges)
            {
                model = (model.Total.Add(charge), Put(model.ByDestination, charge.Destination, model.ByDestination.GetValueOrDefault(charge.Destination, UsageTotals.Zero).Add(charge)));
            }

            versions.Add(totals);
            models.Add(model);
        }

        for (var v = 0; v < versions.Count; v++)
        {
            var expected = versions[0] with { Total = models[v].Total, ByDestination = models[v].ByDestination };
            if (!versions[v].ByDestination.SequenceEqual(models[v].ByDestination) || Json(versions[v]) != Json(expected)
                || Json(versions[v].ByDestination) != Json(models[v].ByDestination))
            {
                return $"version {v} of {versions.Count}: {Json(versions[v])} instead of {Json(expected)} (by destination {Json(models[v].ByDestination)})";
            }
        }

        return null;
    }

    /// <summary>
    /// The flat table against the sorted dictionary it replaced, for any destinations and figures (FsCheck's strings, any
    /// characters): the same entries in the same order, the same look-ups, and the same stored JSON byte for byte both
    /// ways (the dictionary's JSON read as a table and written again; the table's read as a dictionary).
    /// </summary>
    [Property(MaxTest = 300)]
    public Property Destination_totals_are_the_sorted_dictionary_they_replaced((NonNull<string> Destination, int Calls, long BilledSeconds, decimal Amount)[] entries, NonNull<string>[] probes)
    {
        var model = Empty;
        foreach (var (destination, calls, billedSeconds, amount) in entries)
        {
            model = model.SetItem(destination.Get, new UsageTotals(calls, billedSeconds, amount));
        }

        var table = DestinationTotals.From(model);
        var read = JsonSerializer.Deserialize<DestinationTotals>(Json(model), StoredJson.Options)!;
        var back = JsonSerializer.Deserialize<ImmutableSortedDictionary<string, UsageTotals>>(Json(table), StoredJson.Options)!.WithComparers(StringComparer.Ordinal);
        var lookups = probes.Select(p => p.Get).Concat(model.Keys).All(p =>
            table.TryGetValue(p, out var value) == model.TryGetValue(p, out var expected) && Equals(value, expected) && table.ContainsKey(p) == model.ContainsKey(p));
        return (table.SequenceEqual(model) && read.SequenceEqual(model) && table.Equals(read) && table.Count == model.Count && lookups
            && Json(table) == Json(model) && Json(read) == Json(model) && back.SequenceEqual(model))
            .Label($"{Json(table)} against {Json(model)}");
    }

    /// <summary>
    /// Charges over many destinations (FsCheck's strings, so leaves fill, split and are shared between versions) counted
    /// into the table in runs of any length, against the sorted dictionary to which each is added at once: the same entries,
    /// look-ups and stored JSON after every run, and the earlier versions unchanged.
    /// </summary>
    [Property(MaxTest = 200)]
    public Property Destination_totals_merged_run_by_run_are_the_dictionary((NonNull<string> Destination, byte Calls, decimal Amount)[] charges, PositiveInt[] runs)
    {
        var (totals, model) = (new PeriodTotals("2026-11", Start, Start.AddMonths(1)), Empty);
        var versions = new List<(PeriodTotals Totals, ImmutableSortedDictionary<string, UsageTotals> Model)>();
        var (at, run) = (0, 0);
        while (at < charges.Length)
        {
            var length = runs.Length == 0 ? charges.Length : Math.Min(charges.Length - at, runs[run++ % runs.Length].Get);
            var lines = charges[at..(at + length)].Select(c => new ChargeLine(c.Amount, c.Calls * 7, c.Calls, c.Destination.Get, Start.AddDays(1))).ToList();
            totals = totals.AddAll(lines, 0, lines.Count);
            foreach (var line in lines)
            {
                model = Put(model, line.Destination, model.GetValueOrDefault(line.Destination, UsageTotals.Zero).Add(line));
            }

            _ = totals.ByDestination.Count; // folded now: the next run merges into the table
            versions.Add((totals, model));
            at += length;
        }

        var differs = versions.FirstOrDefault(v => !v.Totals.ByDestination.SequenceEqual(v.Model) || Json(v.Totals.ByDestination) != Json(v.Model)
            || v.Model.Keys.Any(k => !v.Totals.ByDestination.TryGetValue(k, out var value) || !Equals(value, v.Model[k])));
        return (differs.Totals is null).Label($"{(differs.Totals is null ? "" : Json(differs.Totals.ByDestination))} against {(differs.Model is null ? "" : Json(differs.Model))}");
    }

    /// <summary>Sets a model entry. Not SetItem: it keeps the old value when the new one is equal, and 0.00m equals 0.000m, so the model would keep a scale the sum no longer has.</summary>
    private static ImmutableSortedDictionary<string, UsageTotals> Put(ImmutableSortedDictionary<string, UsageTotals> model, string key, UsageTotals value) =>
        model.Remove(key).Add(key, value);

    [Fact]
    public void Destination_totals_of_thousands_of_destinations_share_their_unchanged_leaves()
    {
        var names = Enumerable.Range(0, 3000).Select(i => $"Destination {i * 7919 % 3000:D4}").ToList();
        var totals = new PeriodTotals("2026-11", Start, Start.AddMonths(1)).AddAll(names.Select(n => Charge(n, 0.10m)).ToList(), 0, names.Count);
        var before = totals.ByDestination;
        var after = totals.Add(Charge("Destination 1500", 0.05m)).Add(Charge("Destination 1500x", 1m)).ByDestination;

        Assert.Equal(3000, before.Count);
        Assert.Equal(3001, after.Count);
        Assert.Equal(new UsageTotals(2, 120, 0.15m), after["Destination 1500"]);
        Assert.Equal(new UsageTotals(1, 60, 0.10m), before["Destination 1500"]);
        Assert.Equal(names.Order(StringComparer.Ordinal).Append("Destination 1500x").Order(StringComparer.Ordinal), after.Keys);
        Assert.All(after.Leaves, leaf => Assert.InRange(leaf.Length, 1, DestinationTotals.LeafMax));
        Assert.Equal(after.Leaves.Count - 1, after.Leaves.Intersect(before.Leaves).Count()); // only the leaf the charges landed in is new
    }

    [Fact]
    public void Destination_totals_read_from_any_json_the_dictionary_read()
    {
        // Out of order, a destination twice (the last wins), names in another case, numbers as strings: as the dictionary read them.
        const string Json = """{"Zimbabwe":{"calls":1,"billedSeconds":2,"amount":0.10},"France":{"Amount":"1.5","calls":"2"},"Zimbabwe":{"calls":3,"billedSeconds":4,"amount":0.300}}""";

        var table = JsonSerializer.Deserialize<DestinationTotals>(Json, StoredJson.Options)!;
        var model = JsonSerializer.Deserialize<ImmutableSortedDictionary<string, UsageTotals>>(Json, StoredJson.Options)!.WithComparers(StringComparer.Ordinal);

        Assert.Equal(model, table);
        Assert.Equal([("France", new UsageTotals(2, 0, 1.5m)), ("Zimbabwe", new UsageTotals(3, 4, 0.300m))], table.Select(t => (t.Key, t.Value)));
        Assert.Equal(JsonSerializer.Serialize(model, StoredJson.Options), JsonSerializer.Serialize(table, StoredJson.Options));
    }

    [Fact]
    public void Destination_totals_written_with_other_options_follow_them()
    {
        var options = new JsonSerializerOptions { DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower };
        var model = Empty.Add("United Kingdom", new UsageTotals(1, 60, 0.50m)).Add("France", new UsageTotals(2, 30, 0.1m));

        Assert.Equal(JsonSerializer.Serialize(model, options), JsonSerializer.Serialize((DestinationTotals)model, options));
    }

    [Fact]
    public void Two_totals_made_from_the_same_version_keep_their_own_charges()
    {
        // Two charges: the second lies in a chunk with free slots after it, which the first totals made from it take.
        var start = new PeriodTotals("2026-11", Start, Start.AddMonths(1)).Add(Charge("France", 1.5m)).Add(Charge("France", 1m));
        var (a, b) = (start.Add(Charge("Germany", 2m)), start.Add(Charge("France", 0.25m)));
        var (c, d) = (a.Add(Charge("Zimbabwe", 3m)), b.Add(Charge("Germany", 0.5m)));

        Assert.Equal([("France", 2.5m), ("Germany", 2m)], a.ByDestination.Select(t => (t.Key, t.Value.Amount)));
        Assert.Equal([("France", 2.75m)], b.ByDestination.Select(t => (t.Key, t.Value.Amount)));
        Assert.Equal([("France", 2.5m), ("Germany", 2m), ("Zimbabwe", 3m)], c.ByDestination.Select(t => (t.Key, t.Value.Amount)));
        Assert.Equal([("France", 2.75m), ("Germany", 0.5m)], d.ByDestination.Select(t => (t.Key, t.Value.Amount)));
        Assert.Equal([("France", 2.5m)], start.ByDestination.Select(t => (t.Key, t.Value.Amount)));
    }

    [Fact]
    public void Charges_past_the_fold_are_counted_once()
    {
        var totals = new PeriodTotals("2026-11", Start, Start.AddMonths(1));
        for (var i = 0; i < 3 * DestinationLog.FoldAfter + 5; i++)
        {
            totals = totals.Add(Charge(Destinations[i % 2], 0.10m));
            if (i == DestinationLog.FoldAfter / 2)
            {
                _ = totals.ByDestination; // read midway: the next totals start from the tree made for it
            }
        }

        var n = 3 * DestinationLog.FoldAfter + 5;
        Assert.Equal(new UsageTotals(n, 60L * n, 0.10m * n), totals.Total);
        Assert.Equal(new UsageTotals((n + 1) / 2, 60L * ((n + 1) / 2), 0.10m * ((n + 1) / 2)), totals.ByDestination["France"]);
        Assert.Equal(new UsageTotals(n / 2, 60L * (n / 2), 0.10m * (n / 2)), totals.ByDestination["Germany"]);
    }

    private static ImmutableSortedDictionary<string, UsageTotals> Empty { get; } = ImmutableSortedDictionary<string, UsageTotals>.Empty.WithComparers(StringComparer.Ordinal);

    private static ChargeLine Charge(string destination, decimal amount) => new(amount, 60, 1, destination, Start.AddDays(1));

    private static List<ChargeLine> Charges(int seed, int count) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var x = (seed / 3) + (i * 7919);
            var scale = (byte)(x % 5);
            return new ChargeLine(new decimal(x % 100_000, 0, 0, false, scale), x % 3600, x % 4 == 0 ? 0 : 1, Destinations[x % Destinations.Length], Start.AddMinutes(x % 1000));
        }).ToList();

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, StoredJson.Options);
}
