namespace ServerlessBilling.Core.Rating;

/// <summary>One row of a rate deck: a prefix's destination and tariff over a UTC date range [from, to).</summary>
public sealed record RateDeckRow(
    string Prefix,
    string Destination,
    Tariff Tariff,
    DateOnly? EffectiveFrom,
    DateOnly? EffectiveTo,
    int Line)
{
    internal long FromTicks { get; } = EffectiveFrom?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).Ticks ?? long.MinValue;

    internal long ToTicks { get; } = EffectiveTo?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).Ticks ?? long.MaxValue;

    /// <summary>The tariff in whole ten-thousandths when it has at most 4 decimals (the fast charge path).</summary>
    internal TariffUnits? Units { get; } = TariffUnits.Of(Tariff);

    public bool IsEffectiveAt(DateTimeOffset instant)
    {
        var ticks = instant.UtcTicks;
        return ticks >= FromTicks && ticks < ToTicks;
    }

    internal bool Overlaps(RateDeckRow other) => FromTicks < other.ToTicks && other.FromTicks < ToTicks;
}
