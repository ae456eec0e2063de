using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Tests.Rating;

public sealed class CalledNumberTests
{
    [Theory]
    [InlineData("+442071234567", "442071234567")]
    [InlineData("00442071234567", "442071234567")]
    [InlineData("442071234567", "442071234567")]
    [InlineData("  +33612345678\t", "33612345678")]
    [InlineData("02071234567", "02071234567")] // one leading zero is a national number, kept
    [InlineData("+0044", "0044")]              // only one of '+' or '00' is stripped
    public void Normalize_strips_plus_or_a_leading_double_zero(string number, string digits)
    {
        Assert.Equal(digits, CalledNumber.Normalize(number).ToString());
        Assert.Null(CalledNumber.Validate(number));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("+", "no digits")]
    [InlineData("abc", "no digits")]
    [InlineData("00", "digits")]
    [InlineData("+44 20", "digits")]
    [InlineData("+44abc", "digits")]
    [InlineData("123456789012345678901234567890123", "digits")]
    [InlineData("+12345678901234567890123456789012345", "longer")]
    public void An_invalid_number_normalizes_to_nothing_and_says_why(string number, string reason)
    {
        Assert.True(CalledNumber.Normalize(number).IsEmpty);
        Assert.Contains(reason, CalledNumber.Validate(number), StringComparison.Ordinal);
    }

    [Fact]
    public void Thirty_two_digits_are_allowed()
    {
        var number = "+" + new string('4', CalledNumber.MaxDigits);

        Assert.Equal(CalledNumber.MaxDigits, CalledNumber.Normalize(number).Length);
    }
}
