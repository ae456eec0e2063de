using ServerlessBilling.Core.Cdrs;

namespace ServerlessBilling.Core.Tests.Cdrs;

/// <summary>
/// ISO 8601 puts no bound on the digits of a fraction of a second, and switches that log in nanoseconds write nine. An
/// authorize took such a start time (to the nearest 100 ns, a tick) while the call's CDR was quarantined: the platform
/// granted a call it then could not charge. Both read a time by one rule now.
/// </summary>
public sealed class FractionalStartTimeTests
{
    private static readonly DateTimeOffset Ten = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-11-26T10:00:00.12345678Z", 1_234_568)]
    [InlineData("2026-11-26T10:00:00.123456789Z", 1_234_568)]
    [InlineData("2026-11-26T10:00:00.12345674Z", 1_234_567)]
    [InlineData("2026-11-26 10:00:00.000000001Z", 0)]
    [InlineData("2026-11-26T10:00:00.99999999Z", 10_000_000)]
    [InlineData("2026-11-26T11:00:00.1234567891+01:00", 1_234_568)]
    public void A_start_with_more_than_seven_fractional_digits_is_read_to_the_nearest_tick(string start, long ticksAfterTen)
    {
        var cdr = CdrValidation.TryBuild("c-1", "acme", "+441", "+33612345678", start, "60", "ANSWERED", "", out var reason);

        Assert.Null(reason);
        Assert.Equal(Ten.AddTicks(ticksAfterTen), cdr!.StartTime);
    }

    [Fact]
    public void A_fraction_that_rounds_into_2100_is_out_of_range()
    {
        Assert.Null(CdrValidation.TryBuild("c-1", "acme", "+441", "+33612345678", "2099-12-31T23:59:59.99999999Z", "60", "ANSWERED", "", out var reason));
        Assert.Contains("out of range", reason, StringComparison.Ordinal);
    }
}
