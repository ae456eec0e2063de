using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests;

/// <summary>
/// Round thirty of the hostile review, on what an operator may write on an account: its time zone and its name.
/// </summary>
public sealed class HostileRoundThirtyAccountSettingsTests
{
    /// <summary>
    /// Names the tz database does not define, which the system's zone folder still answers: <c>localtime</c> is whatever zone
    /// the machine is set to (an account's periods would move with the host, or differ between two Functions instances);
    /// <c>posixrules</c> is a copy of some zone the machine picked; <c>right/…</c> zones count leap seconds, which no clock
    /// does (right/Europe/London put the start of December 2026 at 23:00 UTC the day before, an hour early); <c>posix/…</c>
    /// are copies under another name, as is a name with an empty segment (<c>Europe//London</c>). All of them were accepted.
    /// </summary>
    [Theory]
    [InlineData("localtime")]
    [InlineData("posixrules")]
    [InlineData("right/Europe/London")]
    [InlineData("right/UTC")]
    [InlineData("posix/Europe/London")]
    [InlineData("Europe//London")]
    public void A_time_zone_the_tz_database_does_not_name_is_refused(string zone)
    {
        var settings = Fixtures.Postpaid(100m, hard: false) with { TimeZone = zone };

        var errors = settings.Validate();

        Assert.Contains(errors, e => e.Contains("timeZone", StringComparison.Ordinal) && e.Contains(zone, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Europe/London")]
    [InlineData("Etc/UTC")]
    [InlineData("UTC")]
    [InlineData("Etc/GMT-14")]
    [InlineData("Etc/GMT+12")]
    [InlineData("America/Argentina/Buenos_Aires")]
    [InlineData("America/Port-au-Prince")]
    [InlineData("EST5EDT")]
    [InlineData("GB")]
    public void A_tz_database_name_is_accepted(string zone)
    {
        var settings = Fixtures.Postpaid(100m, hard: false) with { TimeZone = zone };

        Assert.Empty(settings.Validate());
    }

    /// <summary>
    /// The name heads every invoice and statement, printed as it is: a NUL, an escape sequence or a line break went raw into
    /// the HTML and the PDF (a NUL is not even allowed in HTML). A deck's destination names, printed on the same documents,
    /// were already refused for that; the account's name was not.
    /// </summary>
    [Theory]
    [InlineData("Acme\u0000Ltd")]
    [InlineData("Acme\u001b[31mLtd")]
    [InlineData("Acme\nLtd")]
    [InlineData("Acme\u007fLtd")]
    [InlineData("Acme\u009bLtd")]
    public void A_name_holding_a_control_character_is_refused(string name)
    {
        var settings = Fixtures.Postpaid(100m, hard: false) with { Name = name };

        Assert.Contains(settings.Validate(), e => e.StartsWith("name ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Acme Ltd")]
    [InlineData("Société Générale – Télécom")]
    [InlineData("株式会社テレコム 🚀")]
    public void A_name_in_any_script_is_accepted(string name)
    {
        var settings = Fixtures.Postpaid(100m, hard: false) with { Name = name };

        Assert.Empty(settings.Validate());
    }

    /// <summary>
    /// A threshold or suspendAt is a fraction of the limit, compared as spend at least fraction × limit. One of 28 decimals
    /// (0.0000000000000000000000000001) times a limit of 0.0001 is below the smallest decimal and came out 0, which any spend
    /// reaches, none included: monitoring alerted "spend this period 0.00 GBP reached 0% of the credit limit" and suspended the
    /// account by policy with nothing spent, as soon as it first looked at it. A fraction is at least 0.0001 (0.01 %),
    /// whose product with the smallest limit or credit (0.0001) is still an amount.
    /// </summary>
    [Theory]
    [InlineData("0.0000000000000000000000000001", null)]
    [InlineData("0.5", "0.0000000000000000000000000001")]
    [InlineData("0.00009", null)]
    [InlineData("0.5", "0.00009")]
    public void A_monitoring_fraction_below_a_ten_thousandth_is_refused(string threshold, string? suspendAt)
    {
        var monitoring = new MonitoringSettings(
            [decimal.Parse(threshold, System.Globalization.CultureInfo.InvariantCulture)],
            suspendAt is null ? null : decimal.Parse(suspendAt, System.Globalization.CultureInfo.InvariantCulture));
        var settings = Fixtures.Postpaid(0.0001m, hard: false) with { Monitoring = monitoring };

        Assert.Contains(settings.Validate(), e => e.StartsWith(suspendAt is null ? "monitoring.thresholds" : "monitoring.suspendAt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_account_with_nothing_spent_is_neither_alerted_nor_suspended_at_the_smallest_fractions()
    {
        var h = InvoicingHarness.InMemory(new DateTimeOffset(2026, 11, 10, 12, 0, 0, TimeSpan.Zero));
        var settings = Fixtures.Postpaid(0.0001m, hard: false) with { Monitoring = new MonitoringSettings([0.0001m], 0.0001m) };
        Assert.Empty(settings.Validate());
        var account = await h.OpenAsync("smallest", settings, 0m);

        var verdict = MonitorRules.Judge(await h.Core.StateAsync(account), h.Core.Clock.GetUtcNow());

        Assert.Empty(verdict.Alerts);
        Assert.Null(verdict.SuspendReason);
    }

    [Theory]
    [InlineData("0.0001")]
    [InlineData("0.50004")]
    [InlineData("10")]
    public void A_monitoring_fraction_of_a_ten_thousandth_or_more_is_taken(string fraction)
    {
        var value = decimal.Parse(fraction, System.Globalization.CultureInfo.InvariantCulture);
        var settings = Fixtures.Postpaid(100m, hard: false) with { Monitoring = new MonitoringSettings([value], value) };

        Assert.Empty(settings.Validate());
    }
}
