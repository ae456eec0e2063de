using System.Text;
using FsCheck;
using FsCheck.Xunit;
using ServerlessBilling.Core.Cdrs;

namespace ServerlessBilling.Core.Tests.Cdrs;

/// <summary>
/// The readers that keep lines where they lie (the text, the UTF-8 bytes) give the very records of the reference path, a
/// <see cref="StreamReader"/> line by line (the reader of old): the same CDRs, rejections, reasons, line numbers and raw
/// text, for arbitrary CSV with quotes, a byte-order mark, LF, CR and CRLF, blank and empty fields, huge numbers,
/// non-ASCII and invalid UTF-8.
/// </summary>
public sealed class CdrReadPathsProperties
{
    private const string Header = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id";

    [Property(MaxTest = 400)]
    public void Utf8_bytes_read_as_the_stream_reader_reads_them(PositiveInt seed)
    {
        var bytes = Body(new Random(seed.Get), invalidUtf8: true);

        var expected = Reference(bytes);
        var records = CdrCsvReader.ReadUtf8(bytes);

        Assert.NotNull(records);
        AssertSame(expected, records);
        AssertBatch(expected, bytes);
    }

    [Property(MaxTest = 400)]
    public void A_string_reads_as_a_string_reader_reads_it(PositiveInt seed)
    {
        var text = Encoding.UTF8.GetString(Body(new Random(seed.Get), invalidUtf8: false));

        AssertSame(CdrCsvReader.Read(new StringReader(text)).ToList(), CdrCsvReader.Read(text).ToList());
    }

    [Theory]
    [InlineData("")]
    [InlineData("\uFEFF")]
    [InlineData("\n\n")]
    [InlineData("\r")]
    [InlineData(Header)]
    [InlineData(Header + "\r\n")]
    [InlineData(Header + "\rc-1,acme,+441,+4420,2026-11-26T10:00:00Z,60,ANSWERED,\r")]
    [InlineData("\uFEFF" + Header + "\r\n\r\n  \r\nc-1,acme,+441,+4420,2026-11-26T10:00:00Z,60,ANSWERED,\r\n")]
    [InlineData("cdr_id,account_id\nc-1,acme\n")]
    public void Edge_bodies_read_alike(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        AssertSame(Reference(bytes), CdrCsvReader.ReadUtf8(bytes)!);
        AssertSame(CdrCsvReader.Read(new StringReader(text)).ToList(), CdrCsvReader.Read(text).ToList());
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)'c', 0 })]
    [InlineData(new byte[] { 0xFE, 0xFF, 0, (byte)'c' })]
    public void A_utf16_body_is_left_to_the_stream_reader(byte[] bytes)
    {
        Assert.Null(CdrCsvReader.ReadUtf8(bytes));
        AssertBatch(Reference(bytes), bytes);
    }

    [Fact]
    public void The_records_of_one_account_share_one_account_id_string()
    {
        var text = $"{Header}\nc-1,acme,+441,+4420,2026-11-26T10:00:00Z,60,ANSWERED,\nc-2,acme,+441,+4420,2026-11-26T10:00:00Z,60,ANSWERED,\n";
        var records = CdrCsvReader.ReadUtf8(Encoding.UTF8.GetBytes(text))!;

        Assert.Same(records[0].Cdr!.AccountId, records[1].Cdr!.AccountId);
        Assert.Equal("c-1,acme,+441,+4420,2026-11-26T10:00:00Z,60,ANSWERED,", records[0].Raw);
    }

    internal static List<CdrRecord> Reference(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true);
        return CdrCsvReader.Read(reader).ToList();
    }

    private static void AssertBatch(List<CdrRecord> expected, byte[] bytes)
    {
        var batch = CdrBatchReader.Read(bytes);
        if (batch.DocumentError is null)
        {
            AssertSame(expected, [.. batch.Records]);
        }
        else
        {
            Assert.Equal(batch.DocumentError, Assert.Single(expected).Rejection!.Reason);
        }
    }

    internal static void AssertSame(List<CdrRecord> expected, List<CdrRecord> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Line, actual[i].Line);
            Assert.Equal(expected[i].Cdr, actual[i].Cdr);
            Assert.Equal(expected[i].Rejection, actual[i].Rejection);
            Assert.Equal(expected[i].Raw, actual[i].Raw);
            Assert.Equal(expected[i], actual[i]);
            Assert.Equal(expected[i].GetHashCode(), actual[i].GetHashCode());
        }
    }

    /// <summary>A CSV body: a header (sometimes with a BOM or wrong), then lines good, bad and odd, with mixed line ends.</summary>
    internal static byte[] Body(Random random, bool invalidUtf8)
    {
        var body = new List<byte>();
        void Text(string s) => body.AddRange(Encoding.UTF8.GetBytes(s));
        if (random.Next(4) == 0)
        {
            body.AddRange([0xEF, 0xBB, 0xBF]);
        }

        Text(random.Next(12) switch
        {
            0 => "cdr_id,account_id,called_number",
            1 => "",
            2 => "session_id,disposition,duration_seconds,start_time,called_number,calling_number,account_id,cdr_id,extra",
            _ => Header,
        });
        var reversed = Encoding.UTF8.GetString(body.ToArray()).Contains("session_id,disposition", StringComparison.Ordinal);
        var lines = random.Next(0, 30);
        for (var n = 0; n < lines; n++)
        {
            Text(random.Next(3) switch { 0 => "\r\n", 1 => "\r", _ => "\n" });
            if (random.Next(10) == 0)
            {
                Text(random.Next(2) == 0 ? "" : "  \t ");
                continue;
            }

            string[] fields =
            [
                Field(random, $"c-{random.Next(8)}"), Field(random, $"acct-{random.Next(3)}"), Field(random, "+4477009" + random.Next(100_000)),
                Field(random, "+" + random.Next(1, 99) + random.Next(1_000_000)), Field(random, "2026-11-26T10:00:00Z"),
                Field(random, random.Next(700).ToString(System.Globalization.CultureInfo.InvariantCulture)), Field(random, random.Next(2) == 0 ? "ANSWERED" : "busy"),
                random.Next(4) == 0 ? Field(random, "s-" + random.Next(5)) : "",
            ];
            if (reversed)
            {
                Array.Reverse(fields);
            }

            var line = string.Join(',', fields.Take(random.Next(12) == 0 ? random.Next(fields.Length) : fields.Length));
            if (random.Next(15) == 0)
            {
                line += "," + new string('x', random.Next(2) == 0 ? 10 : CdrCsvReader.MaxLineLength);
            }

            if (invalidUtf8 && random.Next(10) == 0)
            {
                var at = random.Next(line.Length + 1);
                Text(line[..at]);
                body.AddRange(random.Next(3) switch { 0 => [0xFF], 1 => [0xE2, 0x82], _ => [0xC3] });
                Text(line[at..]);
            }
            else
            {
                Text(line);
            }
        }

        if (random.Next(2) == 0)
        {
            Text("\n");
        }

        return [.. body];
    }

    /// <summary>The field as written, or now and then changed: quoted, emptied, padded, huge, non-ASCII, a quote or a comma in it.</summary>
    private static string Field(Random random, string value) => random.Next(24) switch
    {
        0 => "",
        1 => $"\"{value}\"",
        2 => $"\"{value},x\"",
        3 => $"\"{value}\"\"q\"",
        4 => $" {value} ",
        5 => "99999999999999999999999999999",
        6 => value + "é中",
        7 => value + "\U0001F600",
        8 => "\uFEFF" + value,
        9 => "\"unterminated",
        10 => "-1",
        11 => "+" + new string('9', 40),
        _ => value,
    };
}
