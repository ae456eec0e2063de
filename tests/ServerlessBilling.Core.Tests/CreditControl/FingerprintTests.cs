using System.Globalization;
using ServerlessBilling.Core.CreditControl;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>The authorize fingerprint is stored in the session: its text must stay what it always was.</summary>
public sealed class FingerprintTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData(638_000_000_000_000_000L, null)]
    [InlineData(null, 60)]
    [InlineData(638_000_000_000_000_000L, 0)]
    public void The_fingerprint_joins_the_parts_with_bars_and_leaves_a_missing_one_empty(long? startTicks, int? requested)
    {
        DateTimeOffset? start = startTicks is { } ticks ? new DateTimeOffset(ticks, TimeSpan.FromHours(2)) : null;
        var request = new AuthorizeRequest("s-1", "acct-7", "+441234", "+447700900123", start, requested);

        var expected = string.Join(
            '|', "acct-7", "+441234", "+447700900123",
            start?.UtcTicks.ToString(CultureInfo.InvariantCulture) ?? "", requested?.ToString(CultureInfo.InvariantCulture) ?? "");
        Assert.Equal(expected, request.Fingerprint);
    }
}
