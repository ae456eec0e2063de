using System.Text;
using ServerlessBilling.Core.Cdrs;

namespace ServerlessBilling.Core.Tests.Cdrs;

/// <summary>
/// Round thirty-three: a JSON CDR's field names are matched without regard to case, as the API's other JSON bodies (an
/// authorize's <c>sessionID</c> is its <c>sessionId</c>) are, and to underscores, as a CSV header's column names are
/// (<c>session_id</c>). Read exactly, a <c>sessionID</c> was an unknown field: the CDR lost its session and was charged
/// again after its terminate had charged it.
/// </summary>
public sealed class HostileRoundThirtyThreeCdrJsonTests
{
    private const string Fields =
        """ "calledNumber": "+33612345678", "startTime": "2026-11-26T10:00:00Z", "durationSeconds": 42, "disposition": "ANSWERED" """;

    [Theory]
    [InlineData("sessionID")]
    [InlineData("SessionId")]
    [InlineData("SESSIONID")]
    [InlineData("session_id")]
    public void A_session_id_in_another_casing_is_the_session_id(string name)
    {
        var cdr = Assert.Single(Read($$"""[{ "cdrId": "c-1", "accountId": "acme", {{Fields}}, "{{name}}": "call-1" }]""")).Cdr;

        Assert.NotNull(cdr);
        Assert.Equal("call-1", cdr.SessionId);
    }

    [Fact]
    public void Every_field_is_read_in_any_casing()
    {
        var cdr = Assert.Single(Read(
            """{ "CdrId": "c-1", "ACCOUNTID": "acme", "CallingNumber": "+442071234567", "CalledNumber": "+33612345678", "StartTime": "2026-11-26T10:00:00Z", "DurationSeconds": 42, "Disposition": "ANSWERED", "SessionId": "call-1" }""")).Cdr;

        Assert.NotNull(cdr);
        Assert.Equal(("c-1", "acme", "+442071234567", "+33612345678", 42, "call-1"), (cdr.CdrId, cdr.AccountId, cdr.CallingNumber, cdr.CalledNumber, cdr.DurationSeconds, cdr.SessionId));
    }

    [Theory]
    [InlineData("sessionId", "SessionID")]
    [InlineData("SESSIONID", "sessionid")]
    [InlineData("sessionId", "session_id")]
    public void A_field_named_twice_in_two_casings_quarantines_the_cdr(string first, string second)
    {
        var record = Assert.Single(Read($$"""[{ "cdrId": "c-1", "accountId": "acme", {{Fields}}, "{{first}}": "call-1", "{{second}}": "call-2" }]"""));

        Assert.Null(record.Cdr);
        Assert.Equal("sessionId appears twice in the CDR", record.Rejection!.Reason);
    }

    private static IReadOnlyList<CdrRecord> Read(string json) => CdrJsonReader.Read(Encoding.UTF8.GetBytes(json));
}
