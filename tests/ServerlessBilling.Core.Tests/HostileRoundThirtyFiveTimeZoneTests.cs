using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests;

/// <summary>
/// Round thirty-five of the hostile review: a zone name stored in another case than the tz database's, before such names
/// were refused (round thirty-four), is still the account's zone after a restart.
/// </summary>
public sealed class HostileRoundThirtyFiveTimeZoneTests
{
    private const string Called = "+33612345678";

    /// <summary>
    /// Round thirty-four refuses "ASIA/KATHMANDU" from now on, but accounts stored with such a name by the code before stay
    /// as they are: after a restart (the process's zone cache empty) the name was unknown, so each CDR batch of the account
    /// was a 500 (Unknown time zone), and so were its invoice and monitoring. Its settings sent back unchanged were also
    /// refused, though a value kept as stored is excused. The zone is found by its name in any case; a new name must
    /// still be the zone's own.
    /// </summary>
    [Fact]
    public async Task An_account_stored_with_a_zone_name_in_another_case_is_billed_after_a_restart()
    {
        var h = CreditControlHarness.InMemory();
        const string account = "r35-case";
        var settings = Fixtures.Postpaid(1_000m, hard: false) with { TimeZone = "Asia/Kathmandu" };
        await h.OpenAsync(account, settings, 0m);
        var stored = settings with { TimeZone = "ASIA/KATHMANDU" };

        // As the code before round thirty-four stored it, while the process knew the zone by its own name.
        await h.Updater.UpdateAsync(account, a => Decision.Changed(a!.WithSettings(stored, Fixtures.Now), "stored"), default);
        TimeZoneInfo.ClearCachedData(); // a restart

        // A call of the next billing period: its bounds are drawn in the account's zone.
        h.Clock.Advance(TimeSpan.FromDays(10));
        var line = $"c-1,{account},+441234,{Called},{h.Clock.GetUtcNow().AddHours(-1):yyyy-MM-ddTHH:mm:ssZ},60,ANSWERED,\n";
        var result = await h.IngestCsvAsync(Fixtures.CdrHeader + "\n" + line);
        Assert.Equal((1, 1), (result.Received, result.Accepted));
        Assert.Equal(0.15m, (await h.StateAsync(account)).PeriodSpend);
        Assert.True(BillingPeriod.TryFindTimeZone("ASIA/KATHMANDU", out var zone));
        Assert.Equal("Asia/Kathmandu", zone.Id);
        Assert.False(BillingPeriod.IsTimeZoneName("ASIA/KATHMANDU"));

        TimeZoneInfo.ClearCachedData();
        var kept = await h.Admin.UpsertAsync(account, stored with { Name = "Renamed" }, 0m, default);
        Assert.Null(kept.Error);
    }
}
