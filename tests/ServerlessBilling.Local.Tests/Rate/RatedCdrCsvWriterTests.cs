using ServerlessBilling.Core.Rating;
using ServerlessBilling.Local.Commands.Rate;

namespace ServerlessBilling.Local.Tests.Rate;

public sealed class RatedCdrCsvWriterTests
{
    [Theory]
    [InlineData("1.3920", "1.392")]
    [InlineData("0.0100", "0.01")]
    [InlineData("0.0000", "0")]
    [InlineData("0", "0")]
    [InlineData("12345.6789", "12345.6789")]
    [InlineData("100", "100")]
    [InlineData("100.10", "100.1")]
    public void Formats_charges_invariantly_with_at_most_4_decimals_and_no_trailing_zeros(string value, string expected)
    {
        var charge = decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        var output = new StringWriter();
        var row = new RateDeckRow("44", "UK", new Tariff(0.01m, 0m, 60, 60), null, null, 2);

        new RatedCdrCsvWriter(output).WriteRated("c-1", row, 60, charge);

        Assert.Equal($"c-1,44,UK,60,{expected},rated,\n", output.ToString());
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("cr\rhere", "\"cr\rhere\"")]
    [InlineData("", "")]
    public void Quotes_fields_that_hold_a_comma_a_quote_or_a_line_break(string reason, string expected)
    {
        var output = new StringWriter();

        new RatedCdrCsvWriter(output).WriteRejected("c-1", reason);

        Assert.Equal($"c-1,,,,,rejected,{expected}\n", output.ToString());
    }

    [Fact]
    public void Grows_its_line_buffer_for_long_fields()
    {
        var output = new StringWriter();
        var destination = new string('d', 3000) + ",";
        var row = new RateDeckRow("44", destination, new Tariff(0.01m, 0m, 60, 60), null, null, 2);
        var writer = new RatedCdrCsvWriter(output);

        writer.WriteRated("c-1", row, 60, 0.01m);
        writer.WriteRejected(null, new string('r', 5000));

        Assert.Equal($"c-1,44,\"{destination}\",60,0.01,rated,\n,,,,,rejected,{new string('r', 5000)}\n", output.ToString());
    }
}
