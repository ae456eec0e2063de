using ServerlessBilling.Core.Accounts;

namespace ServerlessBilling.Core.Tests.Invoicing;

/// <summary>Periods in the account's zone and billing day, across the BST/GMT changes (29 March and 25 October 2026).</summary>
public sealed class BillingPeriodBoundaryTests
{
    private static readonly TimeZoneInfo London = BillingPeriod.FindTimeZone("Europe/London");

    private static DateTimeOffset Utc(int y, int m, int d, int h = 0, int min = 0) => new(y, m, d, h, min, 0, TimeSpan.Zero);

    [Fact]
    public void A_call_at_23_30_UTC_on_30_September_belongs_to_October_in_London()
    {
        var period = BillingPeriod.Containing(Utc(2026, 9, 30, 23, 30), 1, London);
        Assert.Equal("2026-10", period.Label(London));
        Assert.Equal(Utc(2026, 9, 30, 23), period.Start); // midnight BST
        Assert.Equal(Utc(2026, 11, 1), period.End);       // midnight GMT
    }

    [Theory]
    [InlineData(2026, 10, "2026-10-14T23:00:00Z", "2026-11-15T00:00:00Z")] // starts in BST, ends in GMT: 31 days and 1 hour
    [InlineData(2026, 3, "2026-03-15T00:00:00Z", "2026-04-14T23:00:00Z")]  // starts in GMT, ends in BST
    public void Billing_day_15_across_a_clock_change(int year, int month, string start, string end)
    {
        var period = BillingPeriod.ForMonth(year, month, 15, London);
        Assert.Equal((DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture)), (period.Start, period.End));
        Assert.Equal(period, BillingPeriod.Containing(period.Start, 15, London));
        Assert.Equal(period, BillingPeriod.Containing(period.End.AddTicks(-1), 15, London));
        Assert.NotEqual(period, BillingPeriod.Containing(period.End, 15, London));
    }

    [Theory]
    [InlineData(2026, 1, "2026-01-31", "2026-02-28")]
    [InlineData(2026, 2, "2026-02-28", "2026-03-31")]
    [InlineData(2028, 2, "2028-02-29", "2028-03-31")]
    [InlineData(2026, 4, "2026-04-30", "2026-05-31")]
    [InlineData(2026, 9, "2026-09-30", "2026-10-31")]
    public void Billing_day_31_falls_on_the_last_day_of_short_months(int year, int month, string first, string next)
    {
        var period = BillingPeriod.ForMonth(year, month, 31, London);
        Assert.Equal(DateOnly.Parse(first, System.Globalization.CultureInfo.InvariantCulture), DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(period.Start, London).DateTime));
        Assert.Equal(DateOnly.Parse(next, System.Globalization.CultureInfo.InvariantCulture), DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(period.End, London).DateTime));
        Assert.Equal($"{year:0000}-{month:00}", period.Label(London));
    }

    [Fact]
    public void Billing_day_31_periods_tile_the_year_without_gap_or_overlap()
    {
        var period = BillingPeriod.Containing(Utc(2026, 1, 1), 31, London);
        for (var i = 0; i < 24; i++)
        {
            var next = BillingPeriod.Containing(period.End, 31, London);
            Assert.Equal(period.End, next.Start);
            Assert.NotEqual(period.Label(London), next.Label(London));
            period = next;
        }
    }

    [Fact]
    public void A_call_on_the_30th_of_October_belongs_to_the_September_period_for_billing_day_31()
    {
        // The period of September starts on 30 September (its last day) and runs to 31 October.
        var period = BillingPeriod.Containing(Utc(2026, 10, 30, 12), 31, London);
        Assert.Equal("2026-09", period.Label(London));
    }

    [Theory]
    [InlineData("2026-12", "2027-01")]
    [InlineData("2026-01", "2026-02")]
    public void Next_label(string label, string next) => Assert.Equal(next, BillingPeriod.NextLabel(label));

    [Theory]
    [InlineData("2026-1")]
    [InlineData("2026-00")]
    [InlineData("26-10-1")]
    [InlineData("2026/10")]
    [InlineData("9999-12")]
    public void Malformed_labels_are_refused(string label) => Assert.False(BillingPeriod.TryParseLabel(label, out _, out _));
}
