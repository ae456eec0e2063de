using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessBilling.Core.Cdrs;

namespace ServerlessBilling.Core.Tests.Cdrs;

/// <summary>The fast path for the common start-time shape must accept and read exactly what the exact parser does.</summary>
public sealed class StartTimeParsingTests
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    [Theory]
    [InlineData("2026-11-26T10:00:00Z")]
    [InlineData("2026-11-26T10:00:00+01:00")]
    [InlineData("2026-11-26T10:00:00-05:30")]
    [InlineData("2024-02-29T23:59:59+14:00")]
    [InlineData("2026-02-29T10:00:00Z")]
    [InlineData("2026-13-01T10:00:00Z")]
    [InlineData("2026-11-26T24:00:00Z")]
    [InlineData("2026-11-26T10:00:00+15:00")]
    [InlineData("2026-11-26T10:00:00.123Z")]
    [InlineData("2026-11-26 10:00:00Z")]
    [InlineData("2026-1x-26T10:00:00Z")]
    public void Reads_like_the_exact_parser(string text) => AssertSame(text);

    [Property(MaxTest = 2000)]
    public void Random_texts_of_the_common_shape_read_like_the_exact_parser(PositiveInt seed)
    {
        var random = new Random(seed.Get);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{random.Next(1999, 2101):0000}-{random.Next(0, 14):00}-{random.Next(0, 33):00}T{random.Next(0, 26):00}:{random.Next(0, 61):00}:{random.Next(0, 61):00}");
        text += random.Next(3) switch
        {
            0 => "Z",
            1 => string.Create(CultureInfo.InvariantCulture, $"+{random.Next(0, 16):00}:{random.Next(0, 61):00}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"-{random.Next(0, 16):00}:{random.Next(0, 61):00}"),
        };
        AssertSame(text);
    }

    private static void AssertSame(string text)
    {
        var expectedOk = DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var expected)
            && expected >= CdrValidation.EarliestStart && expected < CdrValidation.LatestStart;
        var cdr = CdrValidation.TryBuild("c-1", "acme", "+441", "+4420", text, "60", "ANSWERED", "", out _);
        Assert.Equal(expectedOk, cdr is not null);
        if (expectedOk)
        {
            Assert.Equal(expected, cdr!.StartTime);
            Assert.Equal(expected.Offset, cdr.StartTime.Offset);
        }
    }
}
