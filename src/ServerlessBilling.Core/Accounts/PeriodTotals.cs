using System.Collections.Immutable;

namespace ServerlessBilling.Core.Accounts;

/// <summary>Calls, billed seconds and amount charged, for one destination or a whole period.</summary>
public sealed record UsageTotals(int Calls, long BilledSeconds, decimal Amount)
{
    public static readonly UsageTotals Zero = new(0, 0, 0m);

    public UsageTotals Add(in ChargeLine charge) =>
        new(Calls + charge.Calls, BilledSeconds + charge.BilledSeconds, Amount + charge.Amount);
}

/// <summary>
/// What an account was charged in one billing period, by destination: the invoice is built from this, so an
/// invoice run reads one document per account, never the CDRs.
/// </summary>
public sealed record PeriodTotals(string Label, DateTimeOffset Start, DateTimeOffset End)
{
    public UsageTotals Total { get; init; } = UsageTotals.Zero;

    public ImmutableSortedDictionary<string, UsageTotals> ByDestination { get; init; } =
        ImmutableSortedDictionary<string, UsageTotals>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>
    /// Usage of earlier periods that were already invoiced when it arrived, by the label of the period in which
    /// the call started ("late usage from 2026-10"). <see cref="Total"/> and <see cref="ByDestination"/> do not
    /// include it; this period's invoice carries it as separate sections.
    /// </summary>
    public ImmutableSortedDictionary<string, PeriodTotals> Late { get; init; } =
        ImmutableSortedDictionary<string, PeriodTotals>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Credit added in this period (top-ups, by when they were applied): a pre-paid statement shows it.</summary>
    public decimal TopUps { get; init; }

    /// <summary>What the period's usage took from the balance: its own calls and the late usage it carries.</summary>
    public decimal UsageAmount => Total.Amount + Late.Values.Sum(l => l.Total.Amount);

    public PeriodTotals Add(in ChargeLine charge) => this with
    {
        Total = Total.Add(charge),
        ByDestination = ByDestination.SetItem(charge.Destination, ByDestination.GetValueOrDefault(charge.Destination, UsageTotals.Zero).Add(charge)),
    };

    /// <summary>Adds <paramref name="charges"/>[<paramref name="first"/>..<paramref name="end"/>) as <see cref="Add"/> one by one would, building the totals once.</summary>
    internal PeriodTotals AddAll(IReadOnlyList<ChargeLine> charges, int first, int end)
    {
        var (calls, billedSeconds, amount) = (Total.Calls, Total.BilledSeconds, Total.Amount);
        var byDestination = ByDestination.ToBuilder();
        for (var i = first; i < end; i++)
        {
            var charge = charges[i];
            (calls, billedSeconds, amount) = (calls + charge.Calls, billedSeconds + charge.BilledSeconds, amount + charge.Amount);
            byDestination[charge.Destination] = byDestination.GetValueOrDefault(charge.Destination, UsageTotals.Zero).Add(charge);
        }

        return this with { Total = new UsageTotals(calls, billedSeconds, amount), ByDestination = byDestination.ToImmutable() };
    }

    /// <summary>Adds a charge for a call that started in the closed period <paramref name="from"/>.</summary>
    public PeriodTotals AddLate(string from, DateTimeOffset fromStart, DateTimeOffset fromEnd, in ChargeLine charge) => this with
    {
        Late = Late.SetItem(from, (Late.GetValueOrDefault(from) ?? new PeriodTotals(from, fromStart, fromEnd)).Add(charge)),
    };
}

/// <summary>
/// One movement of money on an account for a call: the amount (a delta, for interim commits), the billed seconds
/// it adds, whether it completes a call, the destination and the call's start (which decides the period).
/// </summary>
public readonly record struct ChargeLine(decimal Amount, long BilledSeconds, int Calls, string Destination, DateTimeOffset CallStart);
