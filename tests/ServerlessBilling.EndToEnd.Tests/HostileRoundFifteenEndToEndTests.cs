using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>Round fifteen of the hostile review, on the local host: rate-deck import.</summary>
public sealed class HostileRoundFifteenEndToEndTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string Header = "prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to";

    private HttpClient Client => host.Client;

    [Theory]
    [InlineData(new byte[] { 0x52, 0xE9, 0x75, 0x6E, 0x69, 0x6F, 0x6E }, "not valid UTF-8")] // "Réunion" saved as Windows-1252
    [InlineData(new byte[] { 0x55, 0x1B, 0x5B, 0x32, 0x4A, 0x4B }, "control character")] // "U", ESC [2J, "K"
    [InlineData(new byte[] { 0x55, 0x00, 0x4B }, "control character")]
    public async Task A_deck_whose_destination_would_print_mangled_is_400_naming_the_line_and_changes_nothing(byte[] destination, string reason)
    {
        // The destination is printed on usage, invoices and statements as imported. A deck exported from a
        // spreadsheet as Windows-1252 was taken with every accented name silently turned into "R\uFFFDunion", and control
        // characters went raw into the HTML invoice.
        var deckId = $"d-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.OK, (await PutDeckAsync(deckId, Encoding.UTF8.GetBytes($"{Header}\n44,United Kingdom,0.01,0,60,60,,\n"))).StatusCode);
        var before = await Client.GetStringAsync("/api/ratedecks/" + deckId);

        var body = new List<byte>(Encoding.UTF8.GetBytes($"{Header}\n33,France,0.02,0,60,60,,\n262,"));
        body.AddRange(destination);
        body.AddRange(Encoding.UTF8.GetBytes(",0.03,0,60,60,,\n"));
        var refused = await PutDeckAsync(deckId, [.. body]);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(3, error.GetProperty("line").GetInt32());
        Assert.Contains(reason, error.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await Client.GetStringAsync("/api/ratedecks/" + deckId));
    }

    [Fact]
    public async Task Accented_and_non_latin_destinations_in_utf8_are_imported_as_they_are()
    {
        var deckId = $"d-{Guid.NewGuid():N}";
        var response = await PutDeckAsync(deckId, Encoding.UTF8.GetBytes($"\uFEFF{Header}\r\n262,Réunion,0.03,0,60,60,,\r\n7,Россия 😀,0.01,0,60,60,,\r\n"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var export = await Client.GetStringAsync("/api/ratedecks/" + deckId);
        Assert.Contains("262,Réunion,", export, StringComparison.Ordinal);
        Assert.Contains("7,Россия 😀,", export, StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> PutDeckAsync(string deckId, byte[] csv)
    {
        var content = new ByteArrayContent(csv);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return Client.PutAsync("/api/ratedecks/" + deckId, content);
    }
}
