using ServerlessBilling.Core.Cdrs;

namespace ServerlessBilling.Core.Tests.Cdrs;

/// <summary>
/// An id holding an unpaired UTF-16 surrogate (JSON escapes one as "\ud800") is not text: SQLite and Cosmos DB keep text
/// as UTF-8, where it is U+FFFD, so "call-\uD800" and "call-\uDC00" were one row of the file but two keys of the in-memory
/// claims, and both could be claimed as new calls before either was written. It is refused wherever U+FFFD is (HTTP:
/// LoneSurrogateHttpTests).
/// </summary>
public sealed class LoneSurrogateIdentifierTests
{
    // Theory data would not do: the test runner carries it as UTF-8, where every lone surrogate is already U+FFFD.
    private static readonly string[] Unpaired = ["call-\uD800", "call-\uDC00", "\uDFFF", "a\uD800b", "\uDC00\uD800", "ok-\uD83D\uDE00-\uD800", "\uD800\uD800\uDC00"];

    [Fact]
    public void An_id_or_a_session_id_holding_an_unpaired_surrogate_is_refused()
    {
        Assert.All(Unpaired, id =>
        {
            Assert.Contains("sessionId is not valid Unicode text: it holds an unpaired surrogate", Identifiers.ValidateSessionReceived(id, "sessionId"), StringComparison.Ordinal);
            Assert.Contains("accountId is not valid Unicode text: it holds an unpaired surrogate", Identifiers.ValidateReceived(id, "accountId"), StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("call-\uD83D\uDE00")] // 😀, a pair
    [InlineData("通话-\uD840\uDC00")] // 𠀀
    public void An_id_holding_surrogate_pairs_is_still_an_id(string id)
    {
        Assert.Null(Identifiers.ValidateSessionReceived(id, "sessionId"));
        Assert.Null(Identifiers.ValidateReceived(id, "accountId"));
    }

    [Fact]
    public void A_cdr_whose_id_holds_one_is_quarantined_naming_the_field()
    {
        Assert.All(new[] { ("c-\uD800", "acme", "", "cdr_id"), ("c-1", "acme-\uDFFF", "", "account_id"), ("c-1", "acme", "call-\uDC00", "session_id") }, c =>
        {
            var reason = CdrValidation.Validate(c.Item1, c.Item2, "+441234", "+442071234567", "2026-11-26T09:00:00Z", "60", "ANSWERED", c.Item3, out _);

            Assert.Equal($"{c.Item4} is not valid Unicode text: it holds an unpaired surrogate (a \\uD800-\\uDFFF escape without its other half)", reason);
        });
    }

    [Fact]
    public void A_json_cdr_escaping_one_is_quarantined_naming_the_field()
    {
        var json = """[{"cdrId":"c-\ud800","accountId":"acme","calledNumber":"+442071234567","startTime":"2026-11-26T09:00:00Z","durationSeconds":60,"disposition":"ANSWERED"}]"""u8;

        var record = Assert.Single(CdrJsonReader.Read(json));

        Assert.Null(record.Cdr);
        Assert.Equal("cdrId is not valid Unicode text: it holds an unpaired surrogate (a \\uD800-\\uDFFF escape without its other half)", record.Rejection!.Reason);
    }

    [Theory]
    [InlineData("""{"cdrId":"n-1","account\ud800Id":"acme","calledNumber":"+442071234567","startTime":"2026-11-26T09:00:00Z","durationSeconds":60,"disposition":"ANSWERED"}""", 2)]
    [InlineData("""{"cdrId":"n-1","cdrId":"n-2","accountId":"acme","calledNumber":"+442071234567","startTime":"2026-11-26T09:00:00Z","durationSeconds":60,"disposition":"ANSWERED","x\udc00":1}""", 8)]
    public void A_json_cdr_whose_field_name_escapes_one_is_quarantined_alone_naming_the_field_by_position(string cdr, int position)
    {
        // The name is read only when it is not one of the usual spellings; the first name that is not text decides, before a
        // field named twice does.
        var json = System.Text.Encoding.UTF8.GetBytes("[" + cdr + """,{"cdrId":"n-3","accountId":"acme","calledNumber":"+442071234567","startTime":"2026-11-26T09:00:00Z","durationSeconds":60,"disposition":"ANSWERED"}]""");

        var records = CdrJsonReader.Read(json);

        Assert.Equal(2, records.Count);
        Assert.Null(records[0].Cdr);
        Assert.Equal(Identifiers.NotText($"the name of field {position}"), records[0].Rejection!.Reason);
        Assert.Equal("n-3", records[1].Cdr!.CdrId);
    }
}
