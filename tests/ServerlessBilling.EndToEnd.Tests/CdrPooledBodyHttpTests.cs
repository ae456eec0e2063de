using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// POST /api/cdrs reads its body into a pooled buffer and its records into a reused list: batches of any size in a row,
/// with and without a declared length, are each read as sent (a small batch after a large one sees none of it), counted
/// exactly (accepted + duplicates + quarantined = received) and accept nothing when replayed.
/// </summary>
public sealed class CdrPooledBodyHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string Header = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id";

    private HttpClient Client => host.Client;

    [Fact]
    public async Task Batches_of_any_size_in_a_row_are_read_as_sent_and_a_replay_accepts_nothing()
    {
        var account = await NewPostpaidAsync();
        var run = $"pb-{Guid.NewGuid():N}";
        var large = Csv(run + "-l", account, 3_000, badLast: true);
        var small = Csv(run + "-s", account, 2, badLast: true);

        foreach (var (csv, count) in new[] { (large, 3_000), (small, 2), (large, 3_000), (small, 2) })
        {
            var first = await PostAsync(new StringContent(csv, Encoding.UTF8, "text/csv"));
            Assert.Equal(count, first.GetProperty("received").GetInt32());
            Assert.Equal(count, first.GetProperty("accepted").GetInt32() + first.GetProperty("duplicates").GetInt32() + first.GetProperty("quarantinedCount").GetInt32());
            Assert.Equal(1, first.GetProperty("quarantinedCount").GetInt32());
            var quarantined = Assert.Single(first.GetProperty("quarantined").EnumerateArray().ToList());
            Assert.Equal(count + 1, quarantined.GetProperty("line").GetInt32());
        }

        // Only the first posting of each batch accepted: 2,999 + 1 CDRs, then all duplicates.
        var listed = await Client.GetOkAsync($"/api/quarantine?accountId={account}");
        var raws = listed.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("raw").GetString()).ToHashSet();
        Assert.Equal(2, raws.Count);
        Assert.Contains(BadLine(run + "-l", account, 3_000), raws);
        Assert.Contains(BadLine(run + "-s", account, 2), raws);
        var usage = await Client.GetOkAsync($"/api/accounts/{account}/usage?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&limit=10000");
        Assert.Equal(3_000, usage.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_chunked_body_larger_than_the_first_buffer_is_read_whole()
    {
        var account = await NewPostpaidAsync();
        var csv = Csv($"pc-{Guid.NewGuid():N}", account, 1_500, badLast: false);
        Assert.True(Encoding.UTF8.GetByteCount(csv) > 64 << 10);

        var first = await PostAsync(Chunked(csv));
        Assert.Equal((1_500, 1_500), (first.GetProperty("received").GetInt32(), first.GetProperty("accepted").GetInt32()));
        var again = await PostAsync(Chunked(csv));
        Assert.Equal((0, 1_500), (again.GetProperty("accepted").GetInt32(), again.GetProperty("duplicates").GetInt32()));
    }

    /// <summary>A CSV batch of <paramref name="count"/> lines, the last one's duration not a number when <paramref name="badLast"/>.</summary>
    private static string Csv(string run, string account, int count, bool badLast)
    {
        var csv = new StringBuilder(Header).Append('\n');
        for (var i = 1; i < count; i++)
        {
            csv.Append(FormattableString.Invariant($"{run}-{i},{account},+442071234567,+33612345678,2026-11-26T10:{i % 60:00}:00Z,{30 + (i % 300)},ANSWERED,\n"));
        }

        return csv.Append(badLast ? BadLine(run, account, count) : FormattableString.Invariant($"{run}-{count},{account},+442071234567,+33612345678,2026-11-26T11:00:00Z,61,ANSWERED,")).Append('\n').ToString();
    }

    private static string BadLine(string run, string account, int count) => $"{run}-{count},{account},+442071234567,+33612345678,2026-11-26T11:00:00Z,abc,ANSWERED,";

    /// <summary>The text as a body of unknown length (sent chunked).</summary>
    private static StreamContent Chunked(string csv)
    {
        var content = new StreamContent(new UnseekableStream(Encoding.UTF8.GetBytes(csv)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        return content;
    }

    private async Task<string> NewPostpaidAsync()
    {
        var account = $"acc-{Guid.NewGuid():N}";
        using var response = await Client.PutAsJsonAsync($"/api/accounts/{account}", new
        {
            name = "Test", mode = "postpaid", currency = "GBP", creditLimit = 1_000_000, hardLimit = false, rateDeckId = "demo",
            billingDay = 1, timeZone = "Europe/London", tax = new { treatment = "standard", rate = 0.20 },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return account;
    }

    private async Task<JsonElement> PostAsync(HttpContent content)
    {
        using var response = await Client.PostAsync("/api/cdrs", content);
        Assert.True(response.IsSuccessStatusCode, $"/api/cdrs answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}
