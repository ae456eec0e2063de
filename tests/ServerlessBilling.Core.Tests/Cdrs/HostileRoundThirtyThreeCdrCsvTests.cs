using ServerlessBilling.Core.Cdrs;

namespace ServerlessBilling.Core.Tests.Cdrs;

/// <summary>
/// Round thirty-three: a CDR file whose header spells the session column as the API names the field everywhere else,
/// <c>sessionId</c> (an authorize's body, a JSON CDR), had that column ignored as unknown: its CDRs lost their session
/// and charged again the calls their terminates had charged. Column names are matched without regard to case or
/// underscores, so that the API's camelCase name is the column; naming it twice that way is a column named twice.
/// </summary>
public sealed class HostileRoundThirtyThreeCdrCsvTests
{
    private const string Line = "c-1,acme,+442071234567,+33612345678,2026-11-26T10:00:00Z,42,ANSWERED,call-1";

    [Theory]
    [InlineData("cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,sessionId")]
    [InlineData("cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,SessionID")]
    [InlineData("cdrId,accountId,callingNumber,calledNumber,startTime,durationSeconds,disposition,sessionId")]
    public void The_camel_case_names_of_the_api_are_the_columns(string header)
    {
        var cdr = Assert.Single(CdrCsvReader.Read(header + "\n" + Line + "\n")).Cdr;

        Assert.NotNull(cdr);
        Assert.Equal(("c-1", "acme", 42, "call-1"), (cdr.CdrId, cdr.AccountId, cdr.DurationSeconds, cdr.SessionId));
    }

    [Fact]
    public void A_column_named_twice_in_two_spellings_refuses_the_header()
    {
        var record = Assert.Single(CdrCsvReader.Read(
            "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id,sessionId\n" + Line + ",call-2\n"));

        Assert.Null(record.Cdr);
        Assert.Contains("twice", record.Rejection!.Reason, StringComparison.Ordinal);
    }
}
