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
}
