using ServerlessBilling.Core.Money;

namespace ServerlessBilling.Core.Rating;

/// <summary>The normative rating rules of API.md: billed seconds and charge. Every price in the platform comes from here.</summary>
public static class Rater
{
    /// <summary>0 when unanswered or zero; the minimum up to it; then whole increments past it.</summary>
    public static int BilledSeconds(int durationSeconds, bool answered, int minSeconds, int incrementSeconds)
    {
        if (!answered || durationSeconds <= 0)
        {
            return 0;
        }

        if (minSeconds >= 0 && incrementSeconds > 0)
        {
            // Every tariff of a deck: the same steps in 32-bit unsigned division, a fraction of the 64-bit one's cost.
            if (durationSeconds <= minSeconds)
            {
                return minSeconds;
            }

            var past = (uint)(durationSeconds - minSeconds);
            var increments = past / (uint)incrementSeconds;
            if (past != increments * (uint)incrementSeconds)
            {
                increments++;
            }

            return checked((int)(minSeconds + ((long)increments * incrementSeconds)));
        }

        return checked((int)Billed(durationSeconds, minSeconds, incrementSeconds));
    }

    public static int BilledSeconds(int durationSeconds, bool answered, in Tariff tariff) =>
        BilledSeconds(durationSeconds, answered, tariff.MinSeconds, tariff.IncrementSeconds);

    /// <summary><c>connect_fee + rate × billed / 60</c>, rounded half away from zero to 4 decimals; 0 when nothing is billed.</summary>
    public static decimal Charge(in Tariff tariff, int billedSeconds) => Charge(tariff, (long)billedSeconds);

    /// <summary>
    /// The same rule in whole ten-thousandths, for tariffs whose amounts have at most 4 decimals (see
    /// <see cref="TariffUnits"/>): <c>fee + (rate × billed + 30) / 60</c> is exact and rounds half away from zero
    /// because every term is non-negative. A few nanoseconds instead of a decimal multiply, divide and round.
    /// </summary>
    public static decimal Charge(in TariffUnits units, int billedSeconds)
    {
        if (billedSeconds <= 0)
        {
            return 0m;
        }

        var total = units.Fee + (((units.Rate * billedSeconds) + 30) / 60);
        return new decimal(unchecked((int)total), unchecked((int)(total >> 32)), 0, isNegative: false, scale: 4); // total × 10⁻⁴, no division
    }

    private static decimal Charge(in Tariff tariff, long billedSeconds) =>
        billedSeconds <= 0
            ? 0m
            : Rounding.Charge(tariff.ConnectFee + (tariff.RatePerMinute * billedSeconds / 60m));

    /// <summary>
    /// The most seconds a call may be granted so that its whole charge stays within <paramref name="budget"/>:
    /// <paramref name="cap"/> when that is covered, else the largest billable step (the minimum, then whole
    /// increments) that is. Returns 0 when even the connect fee and the first billable step are not covered.
    /// </summary>
    public static int AffordableSeconds(in Tariff tariff, decimal budget, int cap)
    {
        if (cap <= 0)
        {
            return 0;
        }

        var capBilled = Billed(cap, tariff.MinSeconds, tariff.IncrementSeconds);
        if (Charge(tariff, capBilled) <= budget)
        {
            return cap;
        }

        // Steps k give billed = min + k × increment; with no minimum the first billable step is one increment.
        // The cap's own step is not covered, so search below it; the charge grows with k.
        long lo = tariff.MinSeconds == 0 ? 1 : 0;
        long hi = ((capBilled - tariff.MinSeconds) / tariff.IncrementSeconds) - 1;
        if (hi < lo || Charge(tariff, StepSeconds(tariff, lo)) > budget)
        {
            return 0;
        }

        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (Charge(tariff, StepSeconds(tariff, mid)) <= budget)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return StepSeconds(tariff, lo);
    }

    /// <summary>The billed seconds of an answered call of <paramref name="duration"/> &gt; 0, in 64 bits so that no step overflows.</summary>
    private static long Billed(long duration, long min, long increment)
    {
        if (duration <= min)
        {
            return min;
        }

        var past = duration - min;
        return min + (((past / increment) + (past % increment == 0 ? 0 : 1)) * increment);
    }

    private static int StepSeconds(in Tariff tariff, long step) => (int)(tariff.MinSeconds + (step * tariff.IncrementSeconds));
}
