using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using ServerlessBilling.Api.Contracts;
using ServerlessBilling.Api.Http;

namespace ServerlessBilling.Local.Tests.Http;

/// <summary>The JSON body reader parses the bytes where the server left them: whole, or split over several buffers.</summary>
public sealed class RequestReaderTests
{
    private const string Authorize = """{"sessionId":"s-1","accountId":"acct-1","callingNumber":"+441","calledNumber":"+442","startTime":"2026-11-26T10:00:00Z","requestedSeconds":60}""";

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public async Task A_body_split_over_buffers_reads_as_the_whole_body_does(int segmentBytes)
    {
        var (whole, _) = await RequestReader.ReadJsonAsync<AuthorizeBody>(Request(Authorize, int.MaxValue), CancellationToken.None);
        var (split, problem) = await RequestReader.ReadJsonAsync<AuthorizeBody>(Request(Authorize, segmentBytes), CancellationToken.None);

        Assert.Null(problem);
        Assert.Equal(new AuthorizeBody("s-1", "acct-1", "+441", "+442", DateTimeOffset.Parse("2026-11-26T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), 60), whole);
        Assert.Equal(whole, split);
    }

    [Theory]
    [InlineData("""{"requestNumber":1,"usedSeconds":}""", 1)]
    [InlineData("""{"requestNumber":1,"usedSeconds":}""", 1000)]
    [InlineData("""{"requestNumber":1,"usedSeconds":4} {}""", 1)]
    [InlineData("""{"requestNumber":1,"usedSeconds":4} {}""", 1000)]
    public async Task Malformed_json_or_trailing_content_is_a_problem_wherever_the_buffers_split(string json, int segmentBytes)
    {
        var (body, problem) = await RequestReader.ReadJsonAsync<TerminateBody>(Request(json, segmentBytes), CancellationToken.None);

        Assert.Null(body);
        Assert.NotNull(problem);
    }

    [Fact]
    public async Task A_body_past_the_limit_without_a_length_is_413()
    {
        var big = "{\"requestNumber\":1,\"usedSeconds\":4,\"pad\":\"" + new string('x', (int)Api.Access.LimitsOptions.DefaultMaxJsonBodyBytes) + "\"}";

        var refused = await Assert.ThrowsAsync<BadHttpRequestException>(() => RequestReader.ReadJsonAsync<TerminateBody>(Request(big, 4096), CancellationToken.None));

        Assert.Equal(StatusCodes.Status413PayloadTooLarge, refused.StatusCode);
    }

    /// <summary>A request with no Content-Length whose body arrives in buffers of <paramref name="segmentBytes"/>.</summary>
    private static HttpRequest Request(string body, int segmentBytes)
    {
        var context = new DefaultHttpContext();
        context.Features.Set<IRequestBodyPipeFeature>(new BodyPipe(new SegmentedReader(Encoding.UTF8.GetBytes(body), segmentBytes)));
        return context.Request;
    }

    private sealed class BodyPipe(PipeReader reader) : IRequestBodyPipeFeature
    {
        public PipeReader Reader { get; } = reader;
    }

    /// <summary>Hands out one more buffer per read, keeping what was not consumed, as a server's reader does.</summary>
    private sealed class SegmentedReader(byte[] bytes, int segmentBytes) : PipeReader
    {
        private int _consumed;
        private int _available;

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            _available = Math.Min(bytes.Length, _available + segmentBytes);
            return ValueTask.FromResult(new ReadResult(Sequence(_consumed, _available), isCanceled: false, isCompleted: _available == bytes.Length));
        }

        public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) =>
            _consumed = ((Segment)consumed.GetObject()!).Start + consumed.GetInteger();

        public override bool TryRead(out ReadResult result) => throw new NotSupportedException();

        public override void CancelPendingRead() => throw new NotSupportedException();

        public override void Complete(Exception? exception = null)
        {
        }

        private ReadOnlySequence<byte> Sequence(int from, int to)
        {
            if (from == to)
            {
                return ReadOnlySequence<byte>.Empty;
            }

            Segment? first = null;
            Segment? last = null;
            for (var at = from; at < to; at += segmentBytes)
            {
                var segment = new Segment(bytes.AsMemory(at, Math.Min(segmentBytes, to - at)), at);
                if (last is null)
                {
                    first = segment;
                }
                else
                {
                    last.Append(segment);
                }

                last = segment;
            }

            return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, int start)
        {
            Memory = memory;
            Start = start;
        }

        public int Start { get; }

        public void Append(Segment next)
        {
            next.RunningIndex = RunningIndex + Memory.Length;
            Next = next;
        }
    }
}
