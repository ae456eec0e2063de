using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// A body sent compressed (a CDR collector that gzips its batches): the API reads bodies as they are sent, so a gzip CDR
/// batch was read as its compressed bytes and answered 400 "the header lacks required column(s)", which sent the
/// operator looking at the columns. It is a 415 naming the encoding, on every route that reads a body; nothing is
/// charged or quarantined.
/// </summary>
public sealed class ContentEncodingHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string Batch = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\nenc-1,acme,+441,+33612345678,2026-11-26T10:00:00Z,60,ANSWERED,\n";

    [Theory]
    [InlineData("/api/cdrs", "text/csv", Batch)]
    [InlineData("/api/authorize", "application/json", """{"sessionId":"enc-call","accountId":"smb","calledNumber":"+33612345678"}""")]
    public async Task A_compressed_body_is_415_naming_its_encoding(string path, string type, string text)
    {
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(text));
        }

        using var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        content.Headers.ContentEncoding.Add("gzip");
        using var response = await host.Client.PostAsync(path, content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("Content-Encoding 'gzip'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_identity_encoding_is_read_as_it_is()
    {
        using var content = new StringContent(Batch.Replace("enc-1", $"enc-{Guid.NewGuid():N}", StringComparison.Ordinal), Encoding.UTF8, "text/csv");
        content.Headers.ContentEncoding.Add("identity");
        using var response = await host.Client.PostAsync("/api/cdrs", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
