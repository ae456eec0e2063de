namespace ServerlessBilling.Core.Rating;

/// <summary>
/// A tariff's rate and connect fee in whole ten-thousandths, when both have at most 4 decimals (as decks do), so
/// that <see cref="Rater.Charge(in TariffUnits, int)"/> can price a call in integer arithmetic.
/// </summary>
public readonly record struct TariffUnits(long Rate, long Fee)
{
    public const decimal PerAmount = 10_000m;

    /// <summary>Above this rate, rate × the longest billable call could overflow.</summary>
    private const long MaxRate = long.MaxValue / (2L * int.MaxValue);

    /// <summary>The integer form of <paramref name="tariff"/>, or null when an amount has more than 4 decimals.</summary>
    public static TariffUnits? Of(in Tariff tariff) =>
        TryUnits(tariff.RatePerMinute, out var rate) && TryUnits(tariff.ConnectFee, out var fee) && rate <= MaxRate
            ? new TariffUnits(rate, fee)
            : null;

    private static bool TryUnits(decimal amount, out long units)
    {
        units = 0;
        if (amount < 0m || amount >= 100_000_000m)
        {
            return false;
        }

        var scaled = amount * PerAmount;
        if (scaled != decimal.Truncate(scaled))
        {
            return false;
        }

        units = (long)scaled;
        return true;
    }
}
