using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Tests.Rating;

/// <summary>
/// A deck's rate and connect fee are money in a request, as a top-up's amount is: read exactly or refused. The JSON
/// amounts were made exact (e0af2da), but the deck's were read by the general parser, which rounds a number with more
/// digits than a decimal holds: a rate of 0.0100000000000000000000000000001 was stored as 0.01, and the deck said
/// nothing of it.
/// </summary>
public sealed class ExactDeckAmountTests
{
    [Theory]
    [InlineData("0.0100000000000000000000000000001,0", "rate")]
    [InlineData("0.01,0.00000000000000000000000000001", "connect_fee")]
    [InlineData("1.00000000000000000000000000000000001,0", "rate")]
    public void An_amount_a_decimal_would_round_refuses_its_line(string amounts, string column)
    {
        var import = RateDeckParser.Parse("d", $"{Decks.Header}\n44,United Kingdom,{amounts},60,60,,\n");

        var error = Assert.Single(import.Errors);
        Assert.StartsWith(column, error.Reason, StringComparison.Ordinal);
        Assert.Contains("rounded", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0100", "0.01")]
    [InlineData("1.50", "1.5")]
    [InlineData("100.000", "100")]
    [InlineData("0.0000000000000000000000000001", "0.0000000000000000000000000001")]
    [InlineData("1.0000000000000000000000000000000000", "1")]
    [InlineData("-0", "0")]
    public void An_amount_a_decimal_holds_is_read_as_it_is(string rate, string expected)
    {
        var import = RateDeckParser.Parse("d", $"{Decks.Header}\n44,United Kingdom,{rate},0,60,60,,\n");

        Assert.Empty(import.Errors);
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Assert.Single(import.Deck!.Rows).Tariff.RatePerMinute);
    }
}
