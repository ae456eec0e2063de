namespace ServerlessBilling.Core.Tests.Rating;

/// <summary>
/// min_seconds and increment_seconds are written in digits. "1e3" and "60.0" are whole numbers of seconds written another
/// way, so a refusal that calls them "not a whole number of seconds" sends the operator looking for a fraction that is not
/// there; digits past an int are too long a step, not a fraction either. The reason says which rule the text broke.
/// </summary>
public sealed class HostileRoundThirtySixDeckSecondsTests
{
    [Theory]
    [InlineData("1e3,6", "min_seconds '1e3' must be written as a whole number in digits (e.g. 60), without a decimal point or exponent")]
    [InlineData("60,6.0", "increment_seconds '6.0' must be written as a whole number in digits (e.g. 60), without a decimal point or exponent")]
    [InlineData("60,6E+0", "increment_seconds '6E+0' must be written as a whole number in digits (e.g. 60), without a decimal point or exponent")]
    [InlineData("30.5,6", "min_seconds '30.5' is not a whole number of seconds")]
    [InlineData("thirty,6", "min_seconds 'thirty' is not a number written in digits 0-9")]
    [InlineData("99999999999,6", "min_seconds 99999999999 must be at most 86400 (one day)")]
    [InlineData("60,-1e3", "increment_seconds -1e3 must not be negative")]
    public void A_step_not_in_digits_says_what_is_wrong(string steps, string reason)
    {
        var error = Decks.SingleError(2, Decks.Header, $"44,United Kingdom,0.01,0,{steps},,");

        Assert.Equal(reason, error.Reason);
    }

    /// <summary>A rate or connect fee with an exponent ("1e3", "5E-3") is a number: refused as written, not as "not a number".</summary>
    [Theory]
    [InlineData("1e3,0", "rate '1e3' must be written in digits with an optional decimal point (e.g. 0.0100), without an exponent")]
    [InlineData("0.01,5E-3", "connect_fee '5E-3' must be written in digits with an optional decimal point (e.g. 0.0100), without an exponent")]
    [InlineData("79228162514264337593543950336,0", "rate 79228162514264337593543950336 must be at most 1000000000")]
    [InlineData("ten,0", "rate 'ten' is not a number")]
    [InlineData("0.01,Infinity", "connect_fee 'Infinity' is not a number")]
    public void An_amount_with_an_exponent_says_how_to_write_it(string amounts, string reason)
    {
        var error = Decks.SingleError(2, Decks.Header, $"44,United Kingdom,{amounts},60,60,,");

        Assert.Equal(reason, error.Reason);
    }
}
