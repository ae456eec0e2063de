using System.Text.Json;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>The answers go on the wire as they are, so their result codes must serialize as the contract names them.</summary>
public sealed class ResultCodeWireTests
{
    public static TheoryData<ResultCode> Codes => new(Enum.GetValues<ResultCode>());

    [Theory]
    [MemberData(nameof(Codes))]
    public void On_the_wire_a_code_is_its_contract_name_and_reads_back(ResultCode code)
    {
        var json = JsonSerializer.Serialize(code);
        Assert.Equal($"\"{code.ToWire()}\"", json);
        Assert.Equal(code, JsonSerializer.Deserialize<ResultCode>(json));
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void A_stored_document_keeps_its_own_form(ResultCode code)
    {
        var stored = JsonSerializer.Serialize(code, StoredJson.Options);
        Assert.Equal($"\"{JsonNamingPolicy.CamelCase.ConvertName(code.ToString())}\"", stored);
        Assert.Equal(code, JsonSerializer.Deserialize<ResultCode>(stored, StoredJson.Options));
    }

    [Fact]
    public void A_terminate_answer_serializes_as_the_contract_shows_it()
    {
        var answer = new TerminateAnswer("call-1", ResultCode.Success, 42, 42, 0.178m, "GBP", 99.822m);
        Assert.Equal(
            """{"sessionId":"call-1","resultCode":"SUCCESS","totalSeconds":42,"billedSeconds":42,"charge":0.178,"currency":"GBP","balance":99.822,"overrunSeconds":0}""",
            JsonSerializer.Serialize(answer, JsonSerializerOptions.Web));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ResultCode>("3"));
    }

    [Fact]
    public void A_cdr_serializes_in_the_shape_the_json_reader_takes_back()
    {
        var cdr = new Cdr("c1", "acme", "+441632960000", "+33612345678", new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero), 42, Disposition.NoAnswer, null);
        var json = JsonSerializer.SerializeToUtf8Bytes(new[] { cdr }, JsonSerializerOptions.Web);
        Assert.Contains("\"disposition\":\"NO_ANSWER\"", System.Text.Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        Assert.DoesNotContain("\"answered\"", System.Text.Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        var read = Assert.Single(CdrJsonReader.Read(json));
        Assert.Equal(cdr, read.Cdr);
    }
}
