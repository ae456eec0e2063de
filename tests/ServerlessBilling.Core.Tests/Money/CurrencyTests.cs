using ServerlessBilling.Core.Money;

namespace ServerlessBilling.Core.Tests.Money;

public sealed class CurrencyTests
{
    [Theory]
    [InlineData("GBP")]
    [InlineData("EUR")]
    [InlineData("USD")]
    [InlineData("XAU")]
    public void A_three_letter_upper_case_code_is_valid(string code)
    {
        var currency = new Currency(code);

        Assert.Equal(code, currency.Code);
        Assert.Equal(code, currency.ToString());
        Assert.True(Currency.IsValidCode(code));
    }

    [Theory]
    [InlineData("")]
    [InlineData("GB")]
    [InlineData("GBPX")]
    [InlineData("gbp")]
    [InlineData("Gbp")]
    [InlineData("G1P")]
    [InlineData("GB ")]
    [InlineData(" GBP")]
    [InlineData("ÄBC")]
    [InlineData("€UR")]
    public void Anything_else_is_not_a_currency_code(string code)
    {
        Assert.False(Currency.IsValidCode(code));
        Assert.False(Currency.TryParse(code, out var currency));
        Assert.Equal(default, currency);
        var ex = Assert.Throws<ArgumentException>(() => new Currency(code));
        Assert.Equal("code", ex.ParamName);
    }

    [Fact]
    public void Null_is_not_a_currency_code()
    {
        Assert.False(Currency.IsValidCode(null));
        Assert.False(Currency.TryParse(null, out _));
        Assert.ThrowsAny<ArgumentException>(() => new Currency(null!));
    }

    [Fact]
    public void TryParse_accepts_a_valid_code()
    {
        Assert.True(Currency.TryParse("EUR", out var currency));
        Assert.Equal(new Currency("EUR"), currency);
    }

    [Fact]
    public void Currencies_with_the_same_code_are_equal()
    {
        Assert.Equal(new Currency("GBP"), new Currency("GBP"));
        Assert.NotEqual(new Currency("GBP"), new Currency("EUR"));
    }

    [Fact]
    public void The_default_currency_prints_as_empty()
    {
        Assert.Equal("", default(Currency).ToString());
    }
}
