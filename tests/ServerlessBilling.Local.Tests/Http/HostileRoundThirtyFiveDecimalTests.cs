using System.Text;
using System.Text.Json;
using ServerlessBilling.Api.Http;

namespace ServerlessBilling.Local.Tests.Http;

/// <summary>
/// An amount is read exactly or refused: the JSON reader rounds a number with more digits than a decimal holds, so a
/// top-up of 1.00000000000000000000000000001 was credited 1 (and its retry with 1 taken as the same top-up), and a
/// credit limit of 1e-30 became 0.
/// </summary>
public sealed class HostileRoundThirtyFiveDecimalTests
{
    [Theory]
    [InlineData("1.00000000000000000000000000001")]
    [InlineData("300.000000000000000000000000001")]
    [InlineData("0.00000000000000000000000000001")]
    [InlineData("1e-30")]
    [InlineData("-1e-29")]
    [InlineData("1.2345678901234567890123456789012")]
    [InlineData("79228162514264337593543950334.9")]
    [InlineData("12345678901234567890123456789.5")]
    public void A_number_a_decimal_would_round_is_refused(string json)
    {
        var error = Assert.Throws<JsonException>(() => Read(json));

        Assert.Contains("rounded", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("0.000", "0")]
    [InlineData("0e5", "0")]
    [InlineData("50", "50")]
    [InlineData("50.00", "50")]
    [InlineData("1.2100", "1.21")]
    [InlineData("1E5", "100000")]
    [InlineData("1e+2", "100")]
    [InlineData("2.5E-3", "0.0025")]
    [InlineData("12500e-4", "1.25")]
    [InlineData("-12.34", "-12.34")]
    [InlineData("0.0000000000000000000000000001", "0.0000000000000000000000000001")]
    [InlineData("0.1000000000000000000000000001", "0.1000000000000000000000000001")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    [InlineData("7.9228162514264337593543950335", "7.9228162514264337593543950335")]
    [InlineData("1000000000.00000000000000000000", "1000000000")]
    public void A_number_a_decimal_holds_is_read_as_it_is(string json, string expected) =>
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Read(json));

    [Fact]
    public void A_number_as_long_as_a_body_is_judged_in_place()
    {
        var zeros = new string('0', 1_000_000);

        Assert.Equal(1m, Read("1." + zeros));
        Assert.Equal(100m, Read("1" + zeros + "e-999998"));
        Assert.Throws<JsonException>(() => Read("0." + zeros + "1"));
        Assert.Throws<JsonException>(() => Read("1." + zeros + "1"));
    }

    private static decimal Read(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        return new NormalizedDecimalConverter().Read(ref reader, typeof(decimal), new JsonSerializerOptions());
    }
}
