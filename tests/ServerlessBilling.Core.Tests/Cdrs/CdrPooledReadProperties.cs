using System.Text;
using FsCheck;
using FsCheck.Xunit;
using ServerlessBilling.Core.Cdrs;

namespace ServerlessBilling.Core.Tests.Cdrs;

/// <summary>
/// The read of a batch held in a pooled buffer (a body of <c>length</c> bytes at the start of a longer array, whatever
/// lies after it) into a reused list gives the records of the read of the exact body into a fresh list: the same CDRs,
/// rejections, line numbers and raw text, and the same document errors; a list reused batch after batch holds only the
/// last batch's records.
/// </summary>
public sealed class CdrPooledReadProperties
{
    [Property(MaxTest = 300)]
    public void A_body_in_a_longer_buffer_reads_as_the_exact_body(PositiveInt seed)
    {
        var random = new Random(seed.Get);
        var list = new List<CdrRecord>();
        for (var round = 0; round < 3; round++)
        {
            var bytes = CdrReadPathsProperties.Body(random, invalidUtf8: true);
            var padded = Padded(random, bytes);

            list.Clear();
            Assert.True(CdrCsvReader.ReadUtf8(padded, bytes.Length, list));
            CdrReadPathsProperties.AssertSame(CdrReadPathsProperties.Reference(bytes), list);
            list.Clear();
            AssertSameBatch(CdrBatchReader.Read(bytes), CdrBatchReader.Read(padded, bytes.Length, list));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("[{\"cdrId\": ")]
    [InlineData("[{\"cdrId\":\"c-1\",\"accountId\":\"acme\",\"callingNumber\":\"+441\",\"calledNumber\":\"+4420\",\"startTime\":\"2026-11-26T10:00:00Z\",\"durationSeconds\":60,\"disposition\":\"ANSWERED\"}]")]
    [InlineData("cdr_id,account_id\nc-1,acme\n")]
    [InlineData("\uFEFFcdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition\r\nc-1,acme,+441,+4420,2026-11-26T10:00:00Z,60,ANSWERED")]
    public void Json_csv_and_bad_documents_read_alike_from_a_longer_buffer(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var padded = Padded(new Random(text.Length), bytes);

        AssertSameBatch(CdrBatchReader.Read(bytes), CdrBatchReader.Read(padded, bytes.Length, []));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)'c', 0 })]
    [InlineData(new byte[] { 0xFE, 0xFF, 0, (byte)'c' })]
    public void A_utf16_body_in_a_longer_buffer_is_left_to_the_stream_reader(byte[] bytes)
    {
        var padded = Padded(new Random(1), bytes);
        var list = new List<CdrRecord>();

        Assert.False(CdrCsvReader.ReadUtf8(padded, bytes.Length, list));
        Assert.Empty(list);
        AssertSameBatch(CdrBatchReader.Read(bytes), CdrBatchReader.Read(padded, bytes.Length, list));
    }

    [Fact]
    public void A_length_past_the_buffer_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CdrCsvReader.ReadUtf8(new byte[4], 5, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => CdrBatchReader.Read(new byte[4], 5, []));
    }

    /// <summary>The body at the start of a longer array, the rest filled with what a pooled buffer may hold: other lines, line ends, garbage.</summary>
    private static byte[] Padded(Random random, byte[] body)
    {
        var padded = new byte[body.Length + random.Next(0, 300)];
        body.CopyTo(padded, 0);
        var tail = Encoding.UTF8.GetBytes("\nc-9,acct-1,+441,+4420,2026-11-26T10:00:00Z,60,ANSWERED,\r\n\uFFFDzz,\"");
        for (var i = body.Length; i < padded.Length; i++)
        {
            padded[i] = random.Next(3) == 0 ? (byte)random.Next(256) : tail[(i - body.Length) % tail.Length];
        }

        return padded;
    }

    private static void AssertSameBatch(CdrBatch expected, CdrBatch actual)
    {
        Assert.Equal(expected.DocumentError, actual.DocumentError);
        CdrReadPathsProperties.AssertSame([.. expected.Records], [.. actual.Records]);
    }
}
