using System.Text;
using ServerlessBilling.Core.Cdrs;

namespace ServerlessBilling.Core.Tests.Cdrs;

/// <summary>A batch read from an array (where it lies) and from a span (through a copy) is the same batch.</summary>
public sealed class CdrBatchReaderTests
{
    private const string Header = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id";

    public static TheoryData<string, string> Bodies => new()
    {
        { "csv", $"{Header}\nc-1,acme,+441,+33612345678,2026-11-26T10:00:00Z,342,ANSWERED,call-1\nc-2,acme,+441,+33612345678,2026-11-26T10:00:00Z,-1,ANSWERED,\n" },
        { "csv with a byte order mark and CRLF", $"\uFEFF{Header}\r\nc-1,acme,+441,+33612345678,2026-11-26T10:00:00Z,60,BUSY,\r\n" },
        { "no header", "c-1,acme,+441,+33612345678,2026-11-26T10:00:00Z,60,BUSY,\n" },
        { "json", """[{"cdrId":"c-1","accountId":"acme","callingNumber":"+441","calledNumber":"+33612345678","startTime":"2026-11-26T10:00:00Z","durationSeconds":60,"disposition":"ANSWERED"}]""" },
        { "json with a byte order mark", "\uFEFF" + """[{"cdrId":"c-1","accountId":"acme","callingNumber":"+441","calledNumber":"+33612345678","startTime":"2026-11-26T10:00:00Z","durationSeconds":60,"disposition":"ANSWERED"}]""" },
        { "malformed json", """[{"cdrId":""" },
        { "empty", "" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void An_array_and_a_span_of_the_same_bytes_read_alike(string kind, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);

        var fromArray = CdrBatchReader.Read(bytes);
        var fromSpan = CdrBatchReader.Read(new ReadOnlySpan<byte>(bytes));

        Assert.True(fromSpan.DocumentError == fromArray.DocumentError, kind);
        Assert.Equal(fromSpan.Records, fromArray.Records);
        Assert.Equal(text, Encoding.UTF8.GetString(bytes)); // the body was read where it lies, not changed
    }

    [Fact]
    public void A_json_batch_with_a_byte_order_mark_is_a_batch_as_a_csv_one_is()
    {
        var json = """[{"cdrId":"c-1","accountId":"acme","callingNumber":"+441","calledNumber":"+33612345678","startTime":"2026-11-26T10:00:00Z","durationSeconds":60,"disposition":"ANSWERED"}]""";
        var bytes = Encoding.UTF8.GetBytes("\uFEFF" + json);

        var batch = CdrBatchReader.Read(bytes, bytes.Length, []);

        Assert.Null(batch.DocumentError);
        Assert.Equal("c-1", Assert.Single(batch.Records).Cdr!.CdrId);
    }
}
