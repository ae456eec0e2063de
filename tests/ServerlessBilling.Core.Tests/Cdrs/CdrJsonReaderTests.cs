using System.Text;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Tests.Cdrs;

public sealed class CdrJsonReaderTests
{
    private const string Example =
        """{ "cdrId": "c-1", "accountId": "acme", "callingNumber": "+442071234567", "calledNumber": "+33612345678", "startTime": "2026-11-26T10:00:00Z", "durationSeconds": 342, "disposition": "ANSWERED", "sessionId": "call-123" }""";

    [Fact]
    public void Reads_an_array_of_valid_objects()
    {
        var records = Read($"[{Example}, {Example.Replace("c-1", "c-2", StringComparison.Ordinal)}]");

        Assert.Equal(2, records.Count);
        Assert.Equal([1, 2], records.Select(r => r.Line));
        var cdr = records[0].Cdr!;
        Assert.Equal("c-1", cdr.CdrId);
        Assert.Equal("acme", cdr.AccountId);
        Assert.Equal("+442071234567", cdr.CallingNumber);
        Assert.Equal("+33612345678", cdr.CalledNumber);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero), cdr.StartTime);
        Assert.Equal(342, cdr.DurationSeconds);
        Assert.Equal(Disposition.Answered, cdr.Disposition);
        Assert.Equal("call-123", cdr.SessionId);
        Assert.Equal("c-2", records[1].Cdr!.CdrId);
    }

    [Fact]
    public void Reads_a_single_object()
    {
        var record = Assert.Single(Read(Example));

        Assert.Equal(1, record.Line);
        Assert.Equal("c-1", record.Cdr!.CdrId);
    }

    [Fact]
    public void An_empty_array_has_no_records()
    {
        Assert.Empty(Read("[]"));
    }

    [Fact]
    public void Session_id_is_optional()
    {
        var absent = Assert.Single(Read(Without(Example, "sessionId"))).Cdr!;
        var nulled = Assert.Single(Read(Example.Replace("\"call-123\"", "null", StringComparison.Ordinal))).Cdr!;
        var empty = Assert.Single(Read(Example.Replace("\"call-123\"", "\"\"", StringComparison.Ordinal))).Cdr!;

        Assert.Null(absent.SessionId);
        Assert.Null(nulled.SessionId);
        Assert.Null(empty.SessionId);
    }

    [Fact]
    public void Unknown_properties_are_ignored()
    {
        var record = Assert.Single(Read(Example.Replace("{", """{ "trunk": "T1", "extra": { "a": [1, 2] },""", StringComparison.Ordinal)));

        Assert.NotNull(record.Cdr);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("[")]
    [InlineData("[{\"cdrId\": \"c-1\",}]")]
    [InlineData("{\"cdrId\": 'c-1'}")]
    [InlineData("not json")]
    [InlineData("[1, 2")]
    public void Malformed_json_is_one_rejection(string json)
    {
        var record = Assert.Single(Read(json));

        Assert.Equal(1, record.Line);
        Assert.Null(record.Cdr);
        Assert.Contains("JSON", record.Rejection!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_one_rejection()
    {
        byte[] json = [.. "[{\"cdrId\": \""u8, 0xFF, 0xFE, .. "\"}]"u8];

        var record = Assert.Single(CdrJsonReader.Read(json));

        Assert.Equal(1, record.Line);
        Assert.NotNull(record.Rejection);
    }

    [Fact]
    public void Invalid_utf8_in_one_element_does_not_accept_it_or_throw()
    {
        byte[] json = [.. Encoding.UTF8.GetBytes($"[{Example}, {{\"cdrId\": \"c-"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes($"\"}}, {Example}]")];

        var records = CdrJsonReader.Read(json);

        Assert.Contains(records, r => r.Rejection is not null);
        Assert.DoesNotContain(records, r => r.Line == 2 && r.Cdr is not null);
    }

    [Fact]
    public void A_lone_surrogate_escape_is_rejected_not_thrown()
    {
        var bad = Example.Replace("\"c-1\"", "\"c-\\uD800\"", StringComparison.Ordinal);
        Assert.NotEqual(Example, bad);

        var records = Read($"[{Example}, {bad}]");

        Assert.NotNull(records[0].Cdr);
        Assert.Null(records[^1].Cdr);
        Assert.NotNull(records[^1].Rejection);
    }

    [Fact]
    public void Json_nested_too_deep_is_one_rejection()
    {
        var json = new string('[', 100) + new string(']', 100);

        var record = Assert.Single(Read(json));

        Assert.NotNull(record.Rejection);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("\"a string\"")]
    [InlineData("null")]
    [InlineData("true")]
    public void A_root_that_is_neither_array_nor_object_is_one_rejection(string json)
    {
        var record = Assert.Single(Read(json));

        Assert.Equal(1, record.Line);
        Assert.NotNull(record.Rejection);
    }

    [Fact]
    public void A_non_object_element_is_rejected_at_its_position()
    {
        var records = Read($"[{Example}, 42, \"c-2\", null, [{Example}], {Example.Replace("c-1", "c-6", StringComparison.Ordinal)}]");

        Assert.Equal(6, records.Count);
        Assert.Equal([1, 2, 3, 4, 5, 6], records.Select(r => r.Line));
        Assert.NotNull(records[0].Cdr);
        Assert.All(records.Skip(1).Take(4), r =>
        {
            Assert.Null(r.Cdr);
            Assert.Contains("object", r.Rejection!.Reason, StringComparison.Ordinal);
        });
        Assert.Equal("42", records[1].Rejection!.Raw);
        Assert.Equal("c-6", records[5].Cdr!.CdrId);
    }

    [Theory]
    [InlineData("\"durationSeconds\": 342", "\"durationSeconds\": \"342\"", "durationSeconds")]
    [InlineData("\"durationSeconds\": 342", "\"durationSeconds\": true", "durationSeconds")]
    [InlineData("\"durationSeconds\": 342", "\"durationSeconds\": [342]", "durationSeconds")]
    [InlineData("\"durationSeconds\": 342", "\"durationSeconds\": 34.2", "duration_seconds")]
    [InlineData("\"durationSeconds\": 342", "\"durationSeconds\": -1", "duration_seconds")]
    [InlineData("\"durationSeconds\": 342", "\"durationSeconds\": 1e400", "duration_seconds")]
    [InlineData("\"durationSeconds\": 342", "\"durationSeconds\": null", "duration_seconds")]
    [InlineData("\"cdrId\": \"c-1\"", "\"cdrId\": 1", "cdrId")]
    [InlineData("\"cdrId\": \"c-1\"", "\"cdrId\": \"\"", "cdr_id")]
    [InlineData("\"cdrId\": \"c-1\"", "\"cdrId\": \"c\\u0000\"", "cdr_id")]
    [InlineData("\"accountId\": \"acme\"", "\"accountId\": {\"id\": \"acme\"}", "accountId")]
    [InlineData("\"calledNumber\": \"+33612345678\"", "\"calledNumber\": 33612345678", "calledNumber")]
    [InlineData("\"calledNumber\": \"+33612345678\"", "\"calledNumber\": \"none\"", "called number")]
    [InlineData("\"startTime\": \"2026-11-26T10:00:00Z\"", "\"startTime\": \"2026-11-26T10:00:00\"", "start_time")]
    [InlineData("\"startTime\": \"2026-11-26T10:00:00Z\"", "\"startTime\": \"1999-01-01T00:00:00Z\"", "range")]
    [InlineData("\"startTime\": \"2026-11-26T10:00:00Z\"", "\"startTime\": 1764151200", "startTime")]
    [InlineData("\"disposition\": \"ANSWERED\"", "\"disposition\": \"PICKED_UP\"", "disposition")]
    [InlineData("\"sessionId\": \"call-123\"", "\"sessionId\": 123", "sessionId")]
    public void A_bad_field_is_rejected_with_a_reason(string field, string replacement, string mentioned)
    {
        var bad = Example.Replace(field, replacement, StringComparison.Ordinal);
        Assert.NotEqual(Example, bad);

        var records = Read($"[{Example}, {bad}]");

        Assert.NotNull(records[0].Cdr);
        var rejection = records[1].Rejection!;
        Assert.Equal(2, records[1].Line);
        Assert.Equal(2, rejection.Line);
        Assert.Contains(mentioned, rejection.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("cdrId", "cdr_id")]
    [InlineData("accountId", "account_id")]
    [InlineData("calledNumber", "called number")]
    [InlineData("startTime", "start_time")]
    [InlineData("durationSeconds", "duration_seconds")]
    [InlineData("disposition", "disposition")]
    public void A_missing_field_is_rejected_with_a_reason(string field, string mentioned)
    {
        var rejection = Assert.Single(Read($"[{Without(Example, field)}]")).Rejection!;

        Assert.Equal(1, rejection.Line);
        Assert.Contains(mentioned, rejection.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void An_empty_object_is_rejected()
    {
        Assert.NotNull(Assert.Single(Read("[{}]")).Rejection);
    }

    [Fact]
    public void A_rejection_keeps_valid_ids_and_its_raw_text()
    {
        var bad = Example.Replace("342", "-1", StringComparison.Ordinal);

        var rejection = Assert.Single(Read(bad)).Rejection!;

        Assert.Equal("c-1", rejection.CdrId);
        Assert.Equal("acme", rejection.AccountId);
        Assert.Contains("\"durationSeconds\": -1", rejection.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public void Positions_count_every_element_and_bad_ones_never_stop_the_rest()
    {
        var elements = Enumerable.Range(1, 10).Select(i => i % 3 == 0
            ? Example.Replace("\"c-1\"", $"\"c-{i}\"", StringComparison.Ordinal).Replace("ANSWERED", "??", StringComparison.Ordinal)
            : Example.Replace("\"c-1\"", $"\"c-{i}\"", StringComparison.Ordinal));

        var records = Read("[" + string.Join(",\n", elements) + "]");

        Assert.Equal(Enumerable.Range(1, 10), records.Select(r => r.Line));
        Assert.Equal([3, 6, 9], records.Where(r => r.Rejection is not null).Select(r => r.Rejection!.Line));
        Assert.Equal(["c-3", "c-6", "c-9"], records.Where(r => r.Rejection is not null).Select(r => r.Rejection!.CdrId));
        Assert.Equal(7, records.Count(r => r.Cdr is not null));
    }

    [Fact]
    public void A_utf8_byte_order_mark_before_the_document_is_skipped_as_for_csv()
    {
        byte[] json = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes($"[{Example}]")];
        byte[] single = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Example)];

        var record = Assert.Single(CdrJsonReader.Read(json));
        Assert.Null(record.Rejection);
        Assert.Equal("c-1", record.Cdr!.CdrId);
        Assert.Equal("c-1", Assert.Single(CdrJsonReader.Read(single)).Cdr!.CdrId);

        // White space before the mark, as the check that tells JSON from CSV allows.
        Assert.Equal("c-1", Assert.Single(CdrJsonReader.Read([.. " \r\n"u8, .. json])).Cdr!.CdrId);
    }

    [Fact]
    public void A_byte_order_mark_inside_the_document_is_still_malformed_json()
    {
        var record = Assert.Single(CdrJsonReader.Read([.. "[{\"cdrId\":"u8, 0xEF, 0xBB, 0xBF, .. "\"c-1\"}]"u8]));

        Assert.Null(record.Cdr);
        Assert.StartsWith("malformed JSON", record.Rejection!.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[{}]", true)]
    [InlineData("{}", true)]
    [InlineData("  \r\n\t[", true)]
    [InlineData("\uFEFF[", true)]
    [InlineData("\uFEFF  {", true)]
    [InlineData("cdr_id,account_id", false)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("42", false)]
    public void LooksLikeJson_tells_json_from_csv(string body, bool expected)
    {
        Assert.Equal(expected, CdrJsonReader.LooksLikeJson(Encoding.UTF8.GetBytes(body)));
    }

    private static IReadOnlyList<CdrRecord> Read(string json) => CdrJsonReader.Read(Encoding.UTF8.GetBytes(json));

    private static string Without(string json, string field)
    {
        var start = json.IndexOf($"\"{field}\"", StringComparison.Ordinal);
        Assert.True(start >= 0);
        var end = json.IndexOf(',', start);
        if (end >= 0)
        {
            return json.Remove(start, end - start + 1);
        }

        // the last property: drop the comma before it too
        var comma = json.LastIndexOf(',', start);
        return json.Remove(comma) + " }";
    }
}
