using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Tests.Rating;

public sealed class RaterProperties
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    [Property(Arbitrary = [typeof(RatingArbitraries)], MaxTest = 500)]
    public Property Billed_covers_the_duration_of_an_answered_call(ValidTariff tariff, CallSeconds duration) =>
        Prop.When(
            duration.Value > 0,
            () => Rater.BilledSeconds(duration.Value, answered: true, tariff.Value) >= duration.Value);

    [Property(Arbitrary = [typeof(RatingArbitraries)], MaxTest = 500)]
    public Property Past_the_minimum_less_than_one_increment_is_overbilled(ValidTariff tariff, CallSeconds duration) =>
        Prop.When(
            duration.Value > tariff.Value.MinSeconds,
            () => Rater.BilledSeconds(duration.Value, answered: true, tariff.Value) - duration.Value < tariff.Value.IncrementSeconds);

    [Property(Arbitrary = [typeof(RatingArbitraries)], MaxTest = 500)]
    public bool Billed_is_the_minimum_or_the_minimum_plus_whole_increments(ValidTariff tariff, CallSeconds duration)
    {
        var t = tariff.Value;
        var billed = Rater.BilledSeconds(duration.Value, answered: true, t);
        if (duration.Value == 0)
        {
            return billed == 0;
        }

        return billed == t.MinSeconds
            || (billed > t.MinSeconds && (billed - t.MinSeconds) % t.IncrementSeconds == 0);
    }

    [Property(Arbitrary = [typeof(RatingArbitraries)], MaxTest = 500)]
    public bool Billed_is_the_smallest_such_step(ValidTariff tariff, CallSeconds duration)
    {
        var t = tariff.Value;
        var billed = Rater.BilledSeconds(duration.Value, answered: true, t);
        return duration.Value == 0 || billed == t.MinSeconds || billed - t.IncrementSeconds < duration.Value;
    }

    [Property(Arbitrary = [typeof(RatingArbitraries)], MaxTest = 500)]
    public bool An_unanswered_call_bills_and_costs_nothing(ValidTariff tariff, CallSeconds duration)
    {
        var billed = Rater.BilledSeconds(duration.Value, answered: false, tariff.Value);
        return billed == 0 && Rater.Charge(tariff.Value, billed) == 0m;
    }

    [Property(Arbitrary = [typeof(RatingArbitraries)], MaxTest = 500)]
    public bool Charge_never_decreases_as_the_duration_grows(ValidTariff tariff, CallSeconds a, CallSeconds b)
    {
        var (shorter, longer) = a.Value <= b.Value ? (a.Value, b.Value) : (b.Value, a.Value);
        var t = tariff.Value;
        return Rater.Charge(t, Rater.BilledSeconds(shorter, answered: true, t))
            <= Rater.Charge(t, Rater.BilledSeconds(longer, answered: true, t));
    }

    [Property(Arbitrary = [typeof(RatingArbitraries)], MaxTest = 500)]
    public bool Charge_never_decreases_second_by_second(ValidTariff tariff, CallSeconds duration)
    {
        var t = tariff.Value;
        return Rater.Charge(t, Rater.BilledSeconds(duration.Value, answered: true, t))
            <= Rater.Charge(t, Rater.BilledSeconds(duration.Value + 1, answered: true, t));
    }

    [Property(Arbitrary = [typeof(RatingArbitraries)], MaxTest = 500)]
    public bool Charge_is_the_formula_rounded_to_four_decimals(ValidTariff tariff, CallSeconds duration)
    {
        var t = tariff.Value;
        var billed = Rater.BilledSeconds(duration.Value, answered: true, t);
        var charge = Rater.Charge(t, billed);
        if (billed == 0)
        {
            return charge == 0m;
        }

        var exact = t.ConnectFee + (t.RatePerMinute * billed / 60m);
        return charge == decimal.Round(charge, 4)
            && Math.Abs(charge - exact) <= 0.00005m
            && charge >= t.ConnectFee;
    }

    [Property(Arbitrary = [typeof(RatingArbitraries)], MaxTest = 300)]
    public bool Rating_the_same_call_twice_gives_the_same_result(ValidTariff tariff, CallSeconds duration)
    {
        var t = tariff.Value;
        var deck = new RateDeck("d", [new RateDeckRow("44", "United Kingdom", t, null, null, 2)]);

        var first = deck.Rate("+442071234567", At, duration.Value, Disposition.Answered);
        var second = deck.Rate("+442071234567", At, duration.Value, Disposition.Answered);

        return first == second
            && first.IsRated
            && first.BilledSeconds == Rater.BilledSeconds(duration.Value, answered: true, t)
            && first.Charge == Rater.Charge(t, first.BilledSeconds);
    }

    [Property(Arbitrary = [typeof(RatingArbitraries)], MaxTest = 500)]
    public bool Affordable_seconds_never_exceed_the_cap_and_are_the_cap_or_a_step(ValidTariff tariff, Budget budget, Cap cap)
    {
        var t = tariff.Value;
        var granted = Rater.AffordableSeconds(t, budget.Value, cap.Value);
        return granted >= 0
            && granted <= cap.Value
            && (granted == 0 || granted == cap.Value || Rater.BilledSeconds(granted, answered: true, t) == granted);
    }

    [Property(Arbitrary = [typeof(RatingArbitraries)], MaxTest = 1000)]
    public Property Affordable_seconds_cost_no_more_than_the_budget(ValidTariff tariff, Budget budget, Cap cap)
    {
        var t = tariff.Value;
        var granted = Rater.AffordableSeconds(t, budget.Value, cap.Value);
        var charge = Rater.Charge(t, Rater.BilledSeconds(granted, answered: true, t));
        return (charge <= budget.Value).Label($"granted {granted} costs {charge}");
    }

    [Property(Arbitrary = [typeof(RatingArbitraries)], MaxTest = 1000)]
    public Property One_more_second_than_affordable_would_exceed_the_budget(ValidTariff tariff, Budget budget, Cap cap)
    {
        var t = tariff.Value;
        var granted = Rater.AffordableSeconds(t, budget.Value, cap.Value);
        var next = Rater.Charge(t, Rater.BilledSeconds(granted + 1, answered: true, t));
        return Prop.When(granted < cap.Value, () => next > budget.Value)
            .Label($"granted {granted}, one more second costs {next}");
    }

    [Property(Arbitrary = [typeof(RatingArbitraries)], MaxTest = 300)]
    public bool Affordable_seconds_agree_with_a_linear_search(ValidTariff tariff, Budget budget, Cap cap)
    {
        var t = tariff.Value;
        var expected = 0;
        for (var seconds = cap.Value; seconds > 0; seconds--)
        {
            if (Rater.Charge(t, Rater.BilledSeconds(seconds, answered: true, t)) <= budget.Value)
            {
                expected = seconds == cap.Value ? cap.Value : Rater.BilledSeconds(seconds, answered: true, t);
                break;
            }
        }

        return Rater.AffordableSeconds(t, budget.Value, cap.Value) == expected;
    }
}
