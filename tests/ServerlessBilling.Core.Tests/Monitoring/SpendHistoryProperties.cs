using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Tests.Monitoring;

/// <summary>
/// A group's spend (<see cref="SpendHistory.AddAll"/>, each bucket summed and set once) against the reference path,
/// <see cref="SpendHistory.Add"/> a charge at a time: the same buckets, byte for byte in the stored JSON, over histories
/// with buckets about to age out, charges too old to keep, zero amounts, calls starting later than now, and many
/// buckets in one group (set through a builder) or few (set one at a time).
/// </summary>
public sealed class SpendHistoryProperties
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 30, 0, TimeSpan.Zero);

    [Property(MaxTest = 300)]
    public Property A_group_adds_up_as_its_charges_one_by_one(int[] before, int[] charges, bool later)
    {
        var history = SpendHistory.Empty;
        var earlier = later ? Now.AddHours(-30) : Now;
        foreach (var step in before ?? [])
        {
            history = history.Add(StartOf(step, earlier), AmountOf(step), earlier);
        }

        var lines = (charges ?? []).Select(c => new ChargeLine(AmountOf(c), 60, 1, "France", StartOf(c, Now))).ToList();
        var reference = lines.Aggregate(history, (h, c) => h.Add(c.CallStart, c.Amount, Now));
        var group = history.AddAll(lines, Now);

        return (Json(group) == Json(reference)).Label($"{Json(group)} instead of {Json(reference)}");
    }

    // Call starts from 40 days before to 3 hours after the instant, most of them in the last two hours.
    private static DateTimeOffset StartOf(int step, DateTimeOffset now)
    {
        var value = step & int.MaxValue;
        return value % 3 == 0 ? now.AddMinutes(-(value % (40 * 24 * 60)) + 180) : now.AddMinutes(-(value % 120));
    }

    private static decimal AmountOf(int step) => (step & int.MaxValue) % 11 == 0 ? 0m : new decimal((step & int.MaxValue) % 50_000, 0, 0, false, (byte)((step & int.MaxValue) % 5));

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, StoredJson.Options);
}
