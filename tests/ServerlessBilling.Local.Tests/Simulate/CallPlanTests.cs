using ServerlessBilling.Core.Rating;
using ServerlessBilling.Local.Commands.Simulate;

namespace ServerlessBilling.Local.Tests.Simulate;

public sealed class CallPlanTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyList<SimulatedAccount> Accounts = SimulatedAccount.All(invoice: true);

    [Fact]
    public void The_same_seed_places_the_same_calls_and_another_seed_other_calls()
    {
        var first = Plan(seed: 5).Calls().Take(300).ToList();
        var again = Plan(seed: 5).Calls().Take(300).ToList();
        var other = Plan(seed: 6).Calls().Take(300).ToList();

        Assert.Equal(first, again);
        Assert.NotEqual(first.Select(c => c.CalledNumber), other.Select(c => c.CalledNumber));
        Assert.Equal(Plan(seed: 5).RunawayWeek(Now), Plan(seed: 5).RunawayWeek(Now));
        Assert.Equal(Plan(seed: 5).LastMonth(Now), Plan(seed: 5).LastMonth(Now));
    }

    [Fact]
    public void Arrivals_are_poisson_at_the_rate_for_the_duration()
    {
        // 50 calls/s for 200 s: 10,000 expected, standard deviation 100.
        var calls = Plan(seed: 1, rate: 50, seconds: 200).Calls().ToList();

        Assert.InRange(calls.Count, 9_600, 10_400);
        Assert.All(calls.Zip(calls.Skip(1)), pair => Assert.True(pair.First.Arrival <= pair.Second.Arrival));
        Assert.True(calls[^1].Arrival < TimeSpan.FromSeconds(200));

        // Exponential gaps: about 1/e of them are longer than the mean gap.
        var longGaps = calls.Zip(calls.Skip(1)).Count(p => (p.Second.Arrival - p.First.Arrival).TotalSeconds > 1 / 50d);
        Assert.InRange(longGaps / (double)calls.Count, 0.34, 0.40);
    }

    [Fact]
    public void Talk_times_are_long_tailed_and_capped_and_every_destination_is_rated()
    {
        var calls = Plan(seed: 2, rate: 50, seconds: 200).Calls().ToList();
        var answered = calls.Where(c => c.Disposition == Disposition.Answered).Select(c => c.TalkSeconds).Order().ToList();

        Assert.InRange(answered.Count / (double)calls.Count, 0.82, 0.88);
        Assert.InRange(answered[answered.Count / 2], 80, 100); // median 90 s
        Assert.True(answered.Average() > answered[answered.Count / 2] * 1.5, "the mean is well above the median: a long tail");
        Assert.All(answered, s => Assert.InRange(s, 1, CallPlan.MaxTalkSeconds));
        Assert.Contains(CallPlan.MaxTalkSeconds, answered);
        Assert.All(calls, c => Assert.NotNull(SimulatorDeck.Deck.Find(c.CalledNumber, Now)));
        Assert.Equal(Accounts.Where(a => a.CallWeight > 0).Select(a => a.Name).Order(), calls.Select(c => c.Account.Name).Distinct().Order());
        Assert.DoesNotContain(calls, c => c.Account.Name == SimulatedAccount.Billed);
    }

    [Fact]
    public void The_runaway_week_spends_12000_within_the_last_seven_days()
    {
        var week = Plan(seed: 3).RunawayWeek(Now);
        var cost = week.Sum(c => SimulatorDeck.Deck.Rate(c.CalledNumber, c.Start, c.DurationSeconds, Disposition.Answered).Charge);
        var dearest = week.Max(c => SimulatorDeck.Deck.Rate(c.CalledNumber, c.Start, c.DurationSeconds, Disposition.Answered).Charge);

        Assert.InRange(cost, SimulatedAccount.RunawaySpend, SimulatedAccount.RunawaySpend + dearest);
        Assert.All(week, c => Assert.InRange(c.Start, Now.AddDays(-7), Now));
        Assert.All(week, c => Assert.StartsWith("+" + SimulatorDeck.RunawayPrefix, c.CalledNumber, StringComparison.Ordinal));
        Assert.Equal(week.Count, week.Select(c => c.Name).Distinct().Count());
    }

    [Fact]
    public void Last_month_calls_fall_in_the_month_before_now()
    {
        var month = Plan(seed: 4).LastMonth(Now);

        Assert.NotEmpty(month);
        Assert.All(month, c => Assert.InRange(c.Start, new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 10, 31, 23, 59, 59, TimeSpan.Zero)));
        Assert.Equal("2026-10", CallPlan.LastMonthLabel(Now));
        Assert.Equal("2025-12", CallPlan.LastMonthLabel(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    private static CallPlan Plan(int seed, double rate = 20, double seconds = 60) => new(seed, rate, TimeSpan.FromSeconds(seconds), Accounts);
}
