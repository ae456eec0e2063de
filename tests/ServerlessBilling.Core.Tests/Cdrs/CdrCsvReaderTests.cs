using System.Text;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Tests.Cdrs;

public sealed class CdrCsvReaderTests
{
    private const string Header = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id";
    private const string Example = "c-1,acme,+442071234567,+33612345678,2026-11-26T10:00:00Z,342,ANSWERED,call-123";

    [Fact]
    public void Reads_the_example_of_the_contract()
    {
        var record = Assert.Single(Read(Header, Example));

        Assert.Equal(2, record.Line);
        Assert.Null(record.Rejection);
        var cdr = record.Cdr!;
        Assert.Equal("c-1", cdr.CdrId);
        Assert.Equal("acme", cdr.AccountId);
        Assert.Equal("+442071234567", cdr.CallingNumber);
        Assert.Equal("+33612345678", cdr.CalledNumber);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero), cdr.StartTime);
        Assert.Equal(342, cdr.DurationSeconds);
        Assert.Equal(Disposition.Answered, cdr.Disposition);
        Assert.True(cdr.Answered);
        Assert.Equal("call-123", cdr.SessionId);
    }

    [Fact]
    public void Columns_may_come_in_any_order()
    {
        var record = Assert.Single(Read(
            "disposition,duration_seconds,start_time,session_id,called_number,calling_number,account_id,cdr_id",
            "BUSY,0,2026-11-26T10:00:00+01:00,s-9,0033612345678,+442071234567,acme,c-2"));

        var cdr = record.Cdr!;
        Assert.Equal("c-2", cdr.CdrId);
        Assert.Equal("acme", cdr.AccountId);
        Assert.Equal("0033612345678", cdr.CalledNumber);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero), cdr.StartTime);
        Assert.Equal(TimeSpan.FromHours(1), cdr.StartTime.Offset);
        Assert.Equal(Disposition.Busy, cdr.Disposition);
        Assert.False(cdr.Answered);
        Assert.Equal("s-9", cdr.SessionId);
    }

    [Fact]
    public void Extra_columns_are_allowed()
    {
        var record = Assert.Single(Read(Header + ",trunk", Example + ",T1"));

        Assert.Equal("c-1", record.Cdr!.CdrId);
    }

    [Fact]
    public void Session_id_column_may_be_absent()
    {
        var record = Assert.Single(Read(
            "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition",
            "c-1,acme,+442071234567,+33612345678,2026-11-26T10:00:00Z,342,ANSWERED"));

        Assert.NotNull(record.Cdr);
        Assert.Null(record.Cdr.SessionId);
    }

    [Fact]
    public void Session_id_may_be_empty()
    {
        var record = Assert.Single(Read(Header, "c-1,acme,+442071234567,+33612345678,2026-11-26T10:00:00Z,342,ANSWERED,"));

        Assert.NotNull(record.Cdr);
        Assert.Null(record.Cdr.SessionId);
    }

    [Theory]
    [InlineData("ANSWERED", Disposition.Answered)]
    [InlineData("NO_ANSWER", Disposition.NoAnswer)]
    [InlineData("BUSY", Disposition.Busy)]
    [InlineData("FAILED", Disposition.Failed)]
    [InlineData("answered", Disposition.Answered)]
    [InlineData(" FAILED ", Disposition.Failed)]
    public void Reads_every_disposition(string text, Disposition expected)
    {
        var record = Assert.Single(Read(Header, $"c-1,acme,+44,+33612345678,2026-11-26T10:00:00Z,0,{text},"));

        Assert.Equal(expected, record.Cdr!.Disposition);
    }

    [Theory]
    [InlineData("2026-11-26T10:00:00Z", "2026-11-26T10:00:00+00:00")]
    [InlineData("2026-11-26T10:00:00+05:30", "2026-11-26T04:30:00+00:00")]
    [InlineData("2026-11-26T10:00:00-08:00", "2026-11-26T18:00:00+00:00")]
    [InlineData("2026-11-26T10:00:00.250Z", "2026-11-26T10:00:00.250+00:00")]
    [InlineData("2000-01-01T00:00:00Z", "2000-01-01T00:00:00+00:00")]
    [InlineData("2099-12-31T23:59:59Z", "2099-12-31T23:59:59+00:00")]
    public void Reads_iso_8601_times_with_an_offset(string text, string utc)
    {
        var record = Assert.Single(Read(Header, $"c-1,acme,+44,+33612345678,{text},1,ANSWERED,"));

        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), record.Cdr!.StartTime);
    }

    [Fact]
    public void Crlf_line_endings_and_blank_lines_are_fine_and_lines_keep_their_numbers()
    {
        var csv = Header + "\r\n\r\n" + Example + "\r\n   \r\n" + Example.Replace("c-1", "c-2", StringComparison.Ordinal) + "\r\n";

        var records = CdrCsvReader.Read(csv).ToList();

        Assert.Equal([3, 5], records.Select(r => r.Line));
        Assert.All(records, r => Assert.NotNull(r.Cdr));
    }

    [Fact]
    public void Surrounding_white_space_is_trimmed()
    {
        var record = Assert.Single(Read(Header, " c-1 , acme , +442071234567 , +33612345678 , 2026-11-26T10:00:00Z , 342 , ANSWERED , call-123 "));

        var cdr = record.Cdr!;
        Assert.Equal("c-1", cdr.CdrId);
        Assert.Equal("acme", cdr.AccountId);
        Assert.Equal("+442071234567", cdr.CallingNumber);
        Assert.Equal("+33612345678", cdr.CalledNumber);
        Assert.Equal("call-123", cdr.SessionId);
    }

    [Fact]
    public void Quoted_fields_are_read()
    {
        var record = Assert.Single(Read(Header, "\"c-1\",\"acme\",\"+44 20 7123 4567\",\"+33612345678\",\"2026-11-26T10:00:00Z\",\"342\",\"ANSWERED\",\"\""));

        Assert.Equal("+44 20 7123 4567", record.Cdr!.CallingNumber);
    }

    [Fact]
    public void A_record_broken_across_lines_is_refused_whole_on_every_read_path()
    {
        // A calling number exported with a line break inside its quotes: the first half is unterminated, and the second
        // half, `k2",acme,...`, is a whole CDR's worth of fields; it was charged as CDR `k2"`.
        var csv = string.Join("\n", Header,
            "k1,acme,\"+4420",
            "71234567\",+33612345678,2026-11-26T10:00:00Z,342,ANSWERED,call-1",
            "k2\",acme,+442071234567,+33612345678,2026-11-26T10:00:00Z,342,ANSWERED,call-2",
            Example);
        var paths = new[]
        {
            CdrCsvReader.Read(csv).ToList(),
            CdrCsvReader.Read(new StringReader(csv)).ToList(),
            CdrCsvReader.ReadUtf8(Encoding.UTF8.GetBytes(csv))!,
        };

        foreach (var records in paths)
        {
            Assert.Equal([2, 3, 4, 5], records.Select(r => r.Line));
            Assert.All(records.Take(3), r => Assert.Null(r.Cdr));
            Assert.Contains("unterminated", records[0].Rejection!.Reason, StringComparison.Ordinal);
            Assert.Contains("a quote in unquoted field 1", records[1].Rejection!.Reason, StringComparison.Ordinal);
            Assert.Contains("a quote in unquoted field 1", records[2].Rejection!.Reason, StringComparison.Ordinal);
            Assert.Equal("k2\"", records[2].Rejection!.CdrId);
            Assert.Equal("acme", records[2].Rejection!.AccountId);
            Assert.Equal("c-1", records[3].Cdr!.CdrId);
        }
    }

    [Fact]
    public void A_quote_written_as_the_format_asks_is_still_read()
    {
        // A SIP Call-ID may hold a double quote: quoted, with the quote doubled, it is a session id like any other.
        var record = Assert.Single(Read(Header, "c-1,acme,+442071234567,+33612345678,2026-11-26T10:00:00Z,342,ANSWERED,\"a\"\"b@host\""));

        Assert.Equal("a\"b@host", record.Cdr!.SessionId);
    }

    [Fact]
    public void An_empty_calling_number_is_allowed()
    {
        var record = Assert.Single(Read(Header, "c-1,acme,,+33612345678,2026-11-26T10:00:00Z,342,ANSWERED,"));

        Assert.Equal("", record.Cdr!.CallingNumber);
    }

    [Fact]
    public void The_longest_allowed_duration_is_seven_days()
    {
        Assert.NotNull(Assert.Single(Read(Header, Line(duration: "604800"))).Cdr);
        Assert.Null(Assert.Single(Read(Header, Line(duration: "604801"))).Cdr);
    }

    // ---- rejections ----

    public static TheoryData<string, string> BadLines => new()
    {
        { Line(start: "yesterday"), "start_time" },
        { Line(start: "2026-11-26"), "start_time" },
        { Line(start: "2026-11-26T10:00:00"), "start_time" },
        { Line(start: "2026-11-26 10:00"), "start_time" },
        { Line(start: "2026-13-26T10:00:00Z"), "start_time" },
        { Line(start: "2026-11-26T25:00:00Z"), "start_time" },
        { Line(start: "26/11/2026 10:00:00Z"), "start_time" },
        { Line(start: "2026-11-26T10:00:00+25:00"), "start_time" },
        { Line(start: ""), "start_time" },
        { Line(start: "1999-12-31T23:59:59Z"), "range" },
        { Line(start: "2100-01-01T00:00:00Z"), "range" },
        { Line(start: "2150-06-01T00:00:00Z"), "range" },
        { Line(start: "2099-12-31T23:00:00-05:00"), "range" },
        { Line(duration: "-1"), "duration_seconds" },
        { Line(duration: "1.5"), "duration_seconds" },
        { Line(duration: "abc"), "duration_seconds" },
        { Line(duration: "1e3"), "duration_seconds" },
        { Line(duration: ""), "duration_seconds" },
        { Line(duration: "99999999999"), "duration_seconds" },
        { Line(disposition: "HUNG_UP"), "disposition" },
        { Line(disposition: ""), "disposition" },
        { Line(cdrId: ""), "cdr_id" },
        { Line(cdrId: "   "), "cdr_id" },
        { Line(accountId: ""), "account_id" },
        { Line(called: ""), "called number" },
        { Line(called: "anonymous"), "no digits" },
        { Line(called: "+"), "no digits" },
        { Line(called: "+44abc"), "called number" },
        { Line(cdrId: new string('x', 200)), "cdr_id" },
        { Line(accountId: new string('a', 129)), "account_id" },
        { Line(session: new string('s', 257)), "session_id" },
        { Line(calling: new string('4', 65)), "calling_number" },
        { Line(cdrId: "c\u0001d"), "cdr_id" },
        { Line(cdrId: "c\u0000d"), "cdr_id" },
        { Line(cdrId: "c\u007Fd"), "cdr_id" },
        { Line(accountId: "ac\u001Bme"), "account_id" },
        { Line(session: "s\u0007"), "session_id" },
        { Line(calling: "+44\u0000"), "calling_number" },
        { Line(cdrId: "a/b"), "cdr_id" },
        { Line(cdrId: "a b"), "cdr_id" },
        { Line(accountId: "..\\etc"), "account_id" },
        { Line(cdrId: "c?x"), "cdr_id" },
        { Line(cdrId: "c#x"), "cdr_id" },
        { "c-1,acme,+442071234567,+33612345678,2026-11-26T10:00:00Z,342", "columns" },
        { "c-1", "columns" },
        { Example + ",extra", "columns" },
        { "c-1,acme,+442071234567,\"+33612345678,2026-11-26T10:00:00Z,342,ANSWERED,call-123", "unterminated" },
        { "c-1,acme,\"+44\"2071234567,+33612345678,2026-11-26T10:00:00Z,342,ANSWERED,call-123", "quote" },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public void A_bad_line_is_rejected_with_its_line_number_and_a_reason(string line, string mentioned)
    {
        var good = Example.Replace("c-1", "c-0", StringComparison.Ordinal);
        var records = Read(Header, good, line, Example.Replace("c-1", "c-9", StringComparison.Ordinal));

        Assert.Equal(3, records.Count);
        Assert.Equal("c-0", records[0].Cdr!.CdrId);
        Assert.Equal("c-9", records[2].Cdr!.CdrId);
        var rejected = records[1];
        Assert.Equal(3, rejected.Line);
        Assert.Null(rejected.Cdr);
        var rejection = rejected.Rejection!;
        Assert.Equal(3, rejection.Line);
        Assert.Contains(mentioned, rejection.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(line, rejection.Raw);
    }

    [Fact]
    public void A_rejection_keeps_the_ids_that_can_be_told()
    {
        var rejection = Assert.Single(Read(Header, Line(duration: "-1"))).Rejection!;

        Assert.Equal("c-1", rejection.CdrId);
        Assert.Equal("acme", rejection.AccountId);
    }

    [Fact]
    public void A_rejection_drops_ids_that_are_not_valid()
    {
        var rejection = Assert.Single(Read(Header, Line(cdrId: "c\u0001d", accountId: "a b"))).Rejection!;

        Assert.Null(rejection.CdrId);
        Assert.Null(rejection.AccountId);
    }

    [Fact]
    public void A_truncated_line_keeps_the_ids_it_still_has()
    {
        var rejection = Assert.Single(Read(Header, "c-7,acme,+4420")).Rejection!;

        Assert.Equal("c-7", rejection.CdrId);
        Assert.Equal("acme", rejection.AccountId);
        Assert.Contains("columns", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_rejected_with_all_of_its_text()
    {
        // Whole, not cut to the quarantine's bound: the quarantine keeps it in parts (IngestionService), so that a CSV event
        // whose line breaks were lost keeps every CDR in it (hostile round 37).
        var line = Line(calling: new string('4', 9000));

        var rejection = Assert.Single(Read(Header, line)).Rejection!;

        Assert.Equal(2, rejection.Line);
        Assert.Contains("8192", rejection.Reason, StringComparison.Ordinal);
        Assert.Equal(line, rejection.Raw);
        Assert.Equal(["c-1,acme,4444"], CdrValidation.Pieces(rejection.Raw).Select(p => p[..13]).Take(1));
        Assert.Equal(line, string.Concat(CdrValidation.Pieces(rejection.Raw)));
        Assert.All(CdrValidation.Pieces(rejection.Raw), p => Assert.InRange(p.Length, 1, CdrValidation.MaxRawLength));
    }

    [Fact]
    public void A_line_of_exactly_the_limit_is_not_rejected_for_its_length()
    {
        var padding = CdrCsvReader.MaxLineLength - Example.Length;
        var line = Example + new string(' ', padding);
        Assert.Equal(CdrCsvReader.MaxLineLength, line.Length);

        Assert.NotNull(Assert.Single(Read(Header, line)).Cdr);
    }

    [Fact]
    public void Binary_bytes_in_a_file_reject_only_their_line()
    {
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.UTF8.GetBytes(Header + "\n"));
        bytes.AddRange(Encoding.UTF8.GetBytes("c-"));
        bytes.AddRange(new byte[] { 0x00, 0x01, 0x02, 0x1B });
        bytes.AddRange(Encoding.UTF8.GetBytes(",acme,+442071234567,+33612345678,2026-11-26T10:00:00Z,342,ANSWERED,\n"));
        bytes.AddRange(Encoding.UTF8.GetBytes(Example + "\n"));
        using var reader = new StreamReader(new MemoryStream(bytes.ToArray()), Encoding.UTF8);

        var records = CdrCsvReader.Read(reader).ToList();

        Assert.Equal(2, records.Count);
        Assert.Equal(2, records[0].Line);
        Assert.Contains("cdr_id", records[0].Rejection!.Reason, StringComparison.Ordinal);
        Assert.Equal(3, records[1].Line);
        Assert.Equal("c-1", records[1].Cdr!.CdrId);
    }

    [Fact]
    public void A_bad_line_never_stops_the_rest()
    {
        var lines = new[]
        {
            Line(cdrId: "c-01"),
            Line(cdrId: "c-02", start: "2026-11-26T10:00:00"),
            Line(cdrId: "c-03"),
            Line(cdrId: "c-04"),
            Line(cdrId: "c-05", duration: "-5"),
            "c-06,acme,\"broken",
            Line(cdrId: "c-07"),
            Line(cdrId: "c-08"),
            Line(cdrId: "c-09", disposition: "MAYBE"),
            Line(cdrId: "c-10"),
        };

        var records = Read([Header, .. lines]);

        Assert.Equal(10, records.Count);
        Assert.Equal(Enumerable.Range(2, 10), records.Select(r => r.Line));
        Assert.Equal(["c-01", "c-03", "c-04", "c-07", "c-08", "c-10"], records.Where(r => r.Cdr is not null).Select(r => r.Cdr!.CdrId));
        var rejections = records.Where(r => r.Rejection is not null).Select(r => r.Rejection!).ToList();
        Assert.Equal([3, 6, 7, 10], rejections.Select(r => r.Line));
        Assert.Equal(["c-02", "c-05", null, "c-09"], rejections.Select(r => r.CdrId));
        Assert.All(records, r => Assert.True(r.Cdr is null != (r.Rejection is null)));
    }

    [Fact]
    public void Records_are_streamed_one_line_at_a_time()
    {
        using var reader = new EndlessCdrFile(Header, i => Line(cdrId: $"c-{i}"));

        var first = CdrCsvReader.Read(reader).Take(3).ToList();

        Assert.Equal(["c-0", "c-1", "c-2"], first.Select(r => r.Cdr!.CdrId));
        Assert.Equal(4, reader.LinesRead);
    }

    // ---- header ----

    [Fact]
    public void An_empty_file_is_one_rejection_for_line_1()
    {
        var rejection = Assert.Single(CdrCsvReader.Read("")).Rejection!;

        Assert.Equal(1, rejection.Line);
        Assert.Contains("header", rejection.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_file_without_a_header_is_one_rejection_for_line_1()
    {
        var records = Read(Example, Example.Replace("c-1", "c-2", StringComparison.Ordinal));

        var record = Assert.Single(records);
        Assert.Equal(1, record.Line);
        Assert.Null(record.Cdr);
        Assert.Equal(1, record.Rejection!.Line);
        Assert.Contains("cdr_id", record.Rejection.Reason, StringComparison.Ordinal);
        Assert.Equal(Example, record.Rejection.Raw);
    }

    [Theory]
    [InlineData("cdr_id")]
    [InlineData("account_id")]
    [InlineData("calling_number")]
    [InlineData("called_number")]
    [InlineData("start_time")]
    [InlineData("duration_seconds")]
    [InlineData("disposition")]
    public void A_header_without_a_required_column_names_it(string column)
    {
        var header = string.Join(",", Header.Split(',').Where(c => c != column));

        var rejection = Assert.Single(Read(header, Example)).Rejection!;

        Assert.Equal(1, rejection.Line);
        Assert.Contains(column, rejection.Reason, StringComparison.Ordinal);
    }

    private static List<CdrRecord> Read(params string[] lines) => CdrCsvReader.Read(string.Join("\n", lines)).ToList();

    private static string Line(
        string cdrId = "c-1",
        string accountId = "acme",
        string calling = "+442071234567",
        string called = "+33612345678",
        string start = "2026-11-26T10:00:00Z",
        string duration = "342",
        string disposition = "ANSWERED",
        string session = "call-123") =>
        string.Join(",", cdrId, accountId, calling, called, start, duration, disposition, session);

    /// <summary>A CDR file that never ends: reading it all would never finish.</summary>
    private sealed class EndlessCdrFile(string header, Func<int, string> line) : TextReader
    {
        public int LinesRead { get; private set; }

        public override string ReadLine() => LinesRead++ == 0 ? header : line(LinesRead - 2);
    }
}
