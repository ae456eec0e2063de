using System.Text;
using ServerlessBilling.Core.Cdrs;

namespace ServerlessBilling.Core.Tests.Cdrs;

/// <summary>
/// A duration is whole seconds (formats.md). JSON has one kind of number, so a whole value written with a fraction or an
/// exponent is those seconds; a CSV duration is written in digits, and a refusal says which rule the text broke.
/// </summary>
public sealed class WholeDurationTests
{
    [Theory]
    [InlineData("42.0", 42)]
    [InlineData("4.2e1", 42)]
    [InlineData("4.2E+1", 42)]
    [InlineData("420e-1", 42)]
    [InlineData("42.000", 42)]
    [InlineData("6.048e5", 604800)]
    [InlineData("0.0", 0)]
    [InlineData("-0.0", 0)]
    [InlineData("0e99", 0)]
    public void A_json_duration_of_whole_value_is_those_seconds(string number, int seconds)
    {
        var record = Assert.Single(ReadJson(number));

        Assert.Null(record.Rejection?.Reason);
        Assert.Equal(seconds, record.Cdr!.DurationSeconds);
    }

    [Theory]
    [InlineData("34.2", "duration_seconds is not a whole number of seconds")]
    [InlineData("42.0000000000000000000000000001", "duration_seconds is not a whole number of seconds")]
    [InlineData("42e-1", "duration_seconds is not a whole number of seconds")]
    [InlineData("6.048001e5", "duration_seconds is more than 604800 (7 days)")]
    [InlineData("1e400", "duration_seconds is more than 604800 (7 days)")]
    [InlineData("1e18", "duration_seconds is more than 604800 (7 days)")]
    [InlineData("99999999999", "duration_seconds is more than 604800 (7 days)")]
    [InlineData("-4.2e1", "duration_seconds must not be negative")]
    public void A_json_duration_that_is_no_whole_number_of_seconds_in_range_says_why(string number, string reason)
    {
        var record = Assert.Single(ReadJson(number));

        Assert.Equal(reason, record.Rejection!.Reason);
    }

    [Theory]
    [InlineData("42.0", "duration_seconds must be written as a whole number in digits (e.g. 342), without a decimal point or exponent")]
    [InlineData("1e3", "duration_seconds must be written as a whole number in digits (e.g. 342), without a decimal point or exponent")]
    [InlineData("1.5", "duration_seconds is not a whole number of seconds")]
    [InlineData("abc", "duration_seconds is not a number written in digits 0-9")]
    [InlineData("\u0663", "duration_seconds is not a number written in digits 0-9")]
    [InlineData("99999999999", "duration_seconds is more than 604800 (7 days)")]
    [InlineData("-99999999999", "duration_seconds must not be negative")]
    public void A_csv_duration_not_in_digits_says_what_is_wrong(string duration, string reason)
    {
        var csv = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition\n"
            + $"c-1,acme,+441,+33612345678,2026-11-26T10:00:00Z,{duration},ANSWERED";

        var record = Assert.Single(CdrCsvReader.Read(csv));

        Assert.Equal(reason, record.Rejection!.Reason);
    }

    private static IReadOnlyList<CdrRecord> ReadJson(string duration) => CdrJsonReader.Read(Encoding.UTF8.GetBytes(
        $$"""[{"cdrId":"c-1","accountId":"acme","callingNumber":"+441","calledNumber":"+33612345678","startTime":"2026-11-26T10:00:00Z","durationSeconds":{{duration}},"disposition":"ANSWERED"}]"""));
}
