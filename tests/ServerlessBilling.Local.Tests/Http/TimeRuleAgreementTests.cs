using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ServerlessBilling.Api.Contracts;
using ServerlessBilling.Api.Http;
using ServerlessBilling.Core.Cdrs;

namespace ServerlessBilling.Local.Tests.Http;

/// <summary>
/// An authorize's <c>startTime</c> and its CDR's <c>start_time</c> are read by one rule (ISO 8601 with an offset): a time
/// the switch may authorize a call with is a time its CDR may carry, read to the same instant, and the other way round. The
/// authorize read times with the general parser (any number of fractional digits, a time without seconds, not a space
/// before the time), the CDR with exact formats (at most seven digits): a call authorized at .12345678 was granted and
/// its CDR quarantined.
/// </summary>
public sealed class TimeRuleAgreementTests
{
    [Theory]
    [InlineData("2026-11-26T10:00:00Z")]
    [InlineData("2026-11-26T10:00:00+01:00")]
    [InlineData("2026-11-26T10:00:00.5-05:30")]
    [InlineData("2026-11-26T10:00:00.1234567Z")]
    [InlineData("2026-11-26T10:00:00.12345678Z")]
    [InlineData("2026-11-26T10:00:00.123456789+01:00")]
    [InlineData("2026-11-26T10:00:00.99999999Z")]
    [InlineData("2026-11-26 10:00:00Z")]
    [InlineData("2026-11-26T10:00Z")]
    [InlineData("2026-11-26T10:00:00")]
    [InlineData("2026-11-26T10:00:00.Z")]
    [InlineData("2026-11-26T10:00:00,5Z")]
    [InlineData("2026-11-26T10:00:00+0100")]
    [InlineData("Thu 26 Nov 2026 10:00:00Z")]
    [InlineData("2026-11-26T10:00:00 Z")]
    [InlineData("2026-11-26T10:00:00.5z")]
    public async Task An_authorize_and_a_cdr_take_the_same_start_times_as_the_same_instants(string time)
    {
        var cdr = CdrValidation.TryBuild("c-1", "acme", "+441", "+33612345678", time, "60", "ANSWERED", "", out _);
        var body = await AuthorizeAsync(time);

        Assert.Equal(cdr is not null, body is not null);
        if (cdr is not null)
        {
            Assert.Equal(cdr.StartTime, body!.StartTime);
            Assert.Equal(cdr.StartTime.Offset, body.StartTime!.Value.Offset);
        }
    }

    /// <summary>The authorize's body as the endpoint reads it (null when it answers 400).</summary>
    private static async Task<AuthorizeBody?> AuthorizeAsync(string time)
    {
        var json = $$"""{"sessionId":"s-1","accountId":"acme","calledNumber":"+33612345678","startTime":{{JsonSerializer.Serialize(time)}}}""";
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        var (body, problem) = await RequestReader.ReadJsonAsync<AuthorizeBody>(context.Request, CancellationToken.None);
        Assert.Equal(body is null, problem is not null);
        return body;
    }
}
