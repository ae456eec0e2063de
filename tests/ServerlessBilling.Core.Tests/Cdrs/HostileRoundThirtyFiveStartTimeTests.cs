using System.Globalization;
using ServerlessBilling.Core.Cdrs;

namespace ServerlessBilling.Core.Tests.Cdrs;

/// <summary>
/// A CDR's start time is read as the authorize reads the same call's <c>startTime</c>: ISO 8601 (RFC 3339) allows any
/// number of fraction digits and a lower-case <c>z</c>, and a switch that writes nanoseconds (Go's RFC3339Nano) or a
/// lower-case zone letter had every CDR quarantined as "not an ISO 8601 time" while its authorize was granted.
/// </summary>
public sealed class HostileRoundThirtyFiveStartTimeTests
{
    [Theory]
    [InlineData("2026-11-26T10:00:00.123456789Z")]
    [InlineData("2026-11-26T10:00:00.12345678Z")]
    [InlineData("2026-11-26T10:00:00.000000001Z")]
    [InlineData("2026-11-26T10:00:00.123456789+05:30")]
    [InlineData("2026-11-26T10:00:00.123456749-08:00")]
    [InlineData("2026-11-26T10:00:00z")]
    [InlineData("2026-11-26T10:00:00.250z")]
    [InlineData("2026-11-26T10:00:00.123456789z")]
    [InlineData("2026-11-30T23:59:59.99999995Z")]
    [InlineData("2026-11-26 10:00:00.123456789Z")]
    public void Reads_every_fraction_length_and_a_lower_case_z_as_the_authorize_does(string text)
    {
        var expected = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

        var cdr = CdrValidation.TryBuild("c-1", "acme", "+441", "+4420", text, "60", "ANSWERED", "", out var error);

        Assert.True(cdr is not null, error);
        Assert.Equal(expected, cdr!.StartTime);
        Assert.Equal(expected.Offset, cdr.StartTime.Offset);
    }

    [Fact]
    public void A_call_a_tick_before_midnight_in_nanoseconds_starts_at_midnight_as_its_authorize_says()
    {
        var cdr = CdrValidation.TryBuild("c-1", "acme", "+441", "+4420", "2026-11-30T23:59:59.99999995Z", "60", "ANSWERED", "", out _);

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), cdr!.StartTime);
    }

    [Theory]
    [InlineData("2026-11-26T10:00:00.1234567x9Z")]
    [InlineData("2026-11-26T10:00:00.123456789 Z")]
    [InlineData("2026-11-26t10:00:00.123456789Z")]
    [InlineData("2026-11-26T10:00:00.123456789")]
    [InlineData("2026-11-26T10:00:00.123456789+0530")]
    [InlineData("2026-11-26T10:00:00.-123456789Z")]
    public void Still_refuses_what_is_not_an_iso_8601_time_with_an_offset(string text)
    {
        var cdr = CdrValidation.TryBuild("c-1", "acme", "+441", "+4420", text, "60", "ANSWERED", "", out var error);

        Assert.Null(cdr);
        Assert.Contains("start_time is not an ISO 8601 time", error, StringComparison.Ordinal);
    }
}
