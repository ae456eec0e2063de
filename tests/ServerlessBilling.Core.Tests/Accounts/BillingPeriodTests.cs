using ServerlessBilling.Core.Accounts;

namespace ServerlessBilling.Core.Tests.Accounts;

/// <summary>Billing periods: local midnight of the billing day in the account's zone, start included, end excluded.</summary>
public sealed class BillingPeriodTests
{
    private static readonly TimeZoneInfo London = BillingPeriod.FindTimeZone("Europe/London");
    private static readonly TimeZoneInfo Havana = BillingPeriod.FindTimeZone("America/Havana");
    private static readonly TimeZoneInfo Tokyo = BillingPeriod.FindTimeZone("Asia/Tokyo");

    private static DateTimeOffset Utc(int y, int m, int d, int h = 0, int min = 0) => new(y, m, d, h, min, 0, TimeSpan.Zero);

    [Fact]
    public void A_period_includes_its_start_and_excludes_its_end()
    {
        var period = BillingPeriod.Containing(Utc(2026, 11, 1), 1, TimeZoneInfo.Utc);

        Assert.Equal((Utc(2026, 11, 1), Utc(2026, 12, 1)), (period.Start, period.End));
        Assert.True(period.Contains(period.Start));
        Assert.False(period.Contains(period.End));
        Assert.Equal(period.End, BillingPeriod.Containing(period.End, 1, TimeZoneInfo.Utc).Start);
        Assert.Equal(period, BillingPeriod.Containing(period.End.AddTicks(-1), 1, TimeZoneInfo.Utc));
    }

    [Fact]
    public void An_end_before_the_start_cannot_exist()
    {
        Assert.Throws<ArgumentException>(() => new BillingPeriod(Utc(2026, 11, 2), Utc(2026, 11, 1)));
        Assert.Throws<ArgumentException>(() => new BillingPeriod(Utc(2026, 11, 1), Utc(2026, 11, 1)));
    }

    [Theory]
    [InlineData(29, 2026, 2, 28)] // not a leap year: the 29th falls on the 28th
    [InlineData(29, 2028, 2, 29)]
    [InlineData(30, 2026, 2, 28)]
    [InlineData(31, 2026, 2, 28)]
    [InlineData(31, 2026, 4, 30)]
    [InlineData(31, 2026, 5, 31)]
    public void A_billing_day_past_a_short_month_falls_on_its_last_day(int billingDay, int year, int month, int startDay)
    {
        var period = BillingPeriod.ForMonth(year, month, billingDay, TimeZoneInfo.Utc);

        Assert.Equal(Utc(year, month, startDay), period.Start);
        var next = new DateTime(year, month, 1).AddMonths(1);
        Assert.Equal(Utc(next.Year, next.Month, Math.Min(billingDay, DateTime.DaysInMonth(next.Year, next.Month))), period.End);
    }

    [Fact]
    public void Every_month_of_a_year_has_one_period_and_they_tile_the_year_for_every_billing_day()
    {
        for (var day = 1; day <= 31; day++)
        {
            var period = BillingPeriod.Containing(Utc(2028, 1, 15), day, London);
            for (var i = 0; i < 14; i++)
            {
                var next = BillingPeriod.Containing(period.End, day, London);
                Assert.Equal(period.End, next.Start);
                Assert.NotEqual(period.Label(London), next.Label(London));
                period = next;
            }
        }
    }

    [Fact]
    public void Periods_start_at_local_midnight_in_the_account_zone()
    {
        // Summer in London: local midnight is 23:00 UTC the day before.
        var summer = BillingPeriod.Containing(Utc(2026, 7, 10), 1, London);
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.FromHours(1)), summer.Start);
        Assert.Equal(Utc(2026, 6, 30, 23), summer.Start.ToUniversalTime());

        // 20:00 UTC on 31 October is already 1 November in Tokyo.
        var tokyo = BillingPeriod.Containing(Utc(2026, 10, 31, 20), 1, Tokyo);
        Assert.Equal("2026-11", tokyo.Label(Tokyo));
        Assert.Equal(Utc(2026, 10, 31, 15), tokyo.Start.ToUniversalTime());
    }

    [Fact]
    public void A_period_that_spans_a_clock_change_is_an_hour_shorter_or_longer()
    {
        var march = BillingPeriod.ForMonth(2026, 3, 1, London);
        var october = BillingPeriod.ForMonth(2026, 10, 1, London);

        Assert.Equal(TimeSpan.FromDays(31) - TimeSpan.FromHours(1), march.End - march.Start);
        Assert.Equal(TimeSpan.FromDays(31) + TimeSpan.FromHours(1), october.End - october.Start);
    }

    [Fact]
    public void A_midnight_skipped_by_a_clock_change_starts_the_period_at_the_first_moment_after_it()
    {
        // Havana springs forward at midnight: 8 March 2026 00:00 local does not exist, 01:00 (UTC-4) follows 23:59:59 (UTC-5).
        var period = BillingPeriod.ForMonth(2026, 3, 8, Havana);

        Assert.True(Havana.IsInvalidTime(new DateTime(2026, 3, 8, 0, 0, 0)));
        Assert.Equal(Utc(2026, 3, 8, 5), period.Start.ToUniversalTime());
        Assert.Equal(period, BillingPeriod.Containing(period.Start, 8, Havana));
        Assert.Equal(period.Start, BillingPeriod.Containing(period.Start.AddTicks(-1), 8, Havana).End);
    }

    [Theory]
    [InlineData("2026-11", true)]
    [InlineData("2026-13", false)]
    [InlineData("2026-1", false)]
    [InlineData("1999-12", true)] // the period of a call at the start of 2000 west of UTC (was false, which pinned a 500: see HostileRoundEighteen)
    [InlineData("1999-11", false)]
    [InlineData("9999-01", false)]
    [InlineData(null, false)]
    public void Labels_are_read_strictly(string? label, bool valid)
    {
        Assert.Equal(valid, BillingPeriod.TryForLabel(label, 1, London, out var period));
        if (valid)
        {
            Assert.Equal(label, period.Label(London));
        }
    }

    [Fact]
    public void The_next_label_crosses_the_year()
    {
        Assert.Equal("2027-01", BillingPeriod.NextLabel("2026-12"));
        Assert.Equal("2026-02", BillingPeriod.NextLabel("2026-01"));
        Assert.Throws<ArgumentException>(() => BillingPeriod.NextLabel("nope"));
    }

    [Fact]
    public void An_unknown_zone_is_refused()
    {
        Assert.False(BillingPeriod.TryFindTimeZone("Mars/Olympus", out _));
        Assert.False(BillingPeriod.TryFindTimeZone(" ", out _));
        Assert.Throws<ArgumentException>(() => BillingPeriod.FindTimeZone("Mars/Olympus"));
    }
}
