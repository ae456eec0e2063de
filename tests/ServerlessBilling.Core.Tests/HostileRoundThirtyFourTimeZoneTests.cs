using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests;

/// <summary>Round thirty-four of the hostile review: an account's time zone is a name every process finds.</summary>
public sealed class HostileRoundThirtyFourTimeZoneTests
{
    /// <summary>
    /// .NET finds a zone by a name in another case once the zone is in its cache (a process that has read Europe/London,
    /// as the demo accounts make the local host do, finds "EUROPE/LONDON"), but not from the zone folder, whose names are
    /// case-sensitive. So "ASIA/TOKYO" was accepted and stored while another account used Asia/Tokyo; after a restart the
    /// same name was unknown: the account's CDRs were a 500 ("Unknown time zone 'ASIA/TOKYO'"), and its own settings sent
    /// back with PUT were refused. The name must be the zone's own, whatever the process has read before.
    /// </summary>
    [Theory]
    [InlineData("Asia/Tokyo", "ASIA/TOKYO")]
    [InlineData("Europe/London", "europe/london")]
    [InlineData("Etc/UTC", "etc/utc")]
    public void A_zone_name_in_another_case_is_refused_even_when_the_process_knows_the_zone(string zone, string named)
    {
        Assert.True(TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _)); // as another account's settings would have it read
        var settings = Fixtures.Postpaid(100m, hard: false) with { TimeZone = named };

        var errors = settings.Validate();

        Assert.Contains(errors, e => e.Contains("timeZone", StringComparison.Ordinal) && e.Contains(named, StringComparison.Ordinal));
    }
}
