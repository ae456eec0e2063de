using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// An account switched from pre-paid to post-paid in the middle of a billing period, over HTTP: the invoice run puts the
/// pre-paid calls on a statement and only the post-paid ones on the invoice, each call once.
/// </summary>
public sealed class ModeChangeHttpTests(FakeClockHostFixture host) : IClassFixture<FakeClockHostFixture>
{
    private const string Header = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id";

    private HttpClient Client => host.Client;

    [Fact]
    public async Task Prepaid_calls_go_on_a_statement_and_postpaid_calls_on_the_invoice_each_once()
    {
        var now = host.Clock.GetUtcNow();
        var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        var label = month.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var change = month.AddDays(4).AddHours(10);
        var id = $"mode-{Guid.NewGuid():N}";
        var deck = $"deck-{id}";
        var deckCsv = "prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to\n44,United Kingdom,1.00,0,60,60,,\n33,France,0.15,0,1,1,,\n";
        Assert.Equal(HttpStatusCode.OK, (await Client.PutAsync($"/api/ratedecks/{deck}", new StringContent(deckCsv, Encoding.UTF8, "text/csv"))).StatusCode);
        await PutAccountAsync(id, deck, "prepaid", initialBalance: 100m);

        host.Clock.SetUtcNow(change.AddHours(-1));
        await IngestAsync(id, (1, month.AddDays(1), "+447700900123", 120), (2, month.AddDays(2), "+33612345678", 60)); // 2.00 + 0.15, pre-paid

        host.Clock.SetUtcNow(change);
        await PutAccountAsync(id, deck, "postpaid", initialBalance: 0m);
        var postpaid = new[] { (3, change.AddHours(1), "+447700900123", 60), (4, change.AddDays(1), "+33612345678", 120) }; // 1.00 + 0.30
        host.Clock.SetUtcNow(change.AddDays(2));
        await IngestAsync(id, postpaid);
        await IngestAsync(id, (5, month.AddDays(3), "+447700900123", 180)); // 3.00: a pre-paid call whose CDR came after the switch
        var replay = await IngestAsync(id, postpaid);
        Assert.Equal((0, 2), (replay.GetProperty("accepted").GetInt32(), replay.GetProperty("duplicates").GetInt32()));

        host.Clock.SetUtcNow(month.AddMonths(1).AddDays(1));
        var run = await Client.PostOkAsync("/api/invoices/run", new { period = label });
        Assert.Equal(0, run.GetProperty("failed").GetInt32());

        var list = await Client.GetOkAsync($"/api/accounts/{id}/invoices");
        Assert.Equal([$"{id}.{label}.02", $"{id}.{label}"], list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("invoiceId").GetString()));

        var invoice = await Client.GetOkAsync($"/api/invoices/{id}.{label}.02");
        Assert.Equal(("invoice", $"{label}.02"), (invoice.GetProperty("kind").GetString(), invoice.GetProperty("period").GetString()));
        Assert.Equal(
            [("France", 1, 0.30m), ("United Kingdom", 1, 1.00m)],
            invoice.GetProperty("lines").EnumerateArray().Select(l => (l.GetProperty("destination").GetString(), l.GetProperty("calls").GetInt32(), l.GetProperty("amount").GetDecimal())));
        Assert.Equal((1.30m, 0.26m, 1.56m), (invoice.GetProperty("subtotal").GetDecimal(), invoice.GetProperty("tax").GetDecimal(), invoice.GetProperty("total").GetDecimal()));

        var statement = await Client.GetOkAsync($"/api/invoices/{id}.{label}");
        Assert.Equal("statement", statement.GetProperty("kind").GetString());
        Assert.Equal(
            [("France", 1, 0.15m), ("United Kingdom", 2, 5.00m)],
            statement.GetProperty("lines").EnumerateArray().Select(l => (l.GetProperty("destination").GetString(), l.GetProperty("calls").GetInt32(), l.GetProperty("amount").GetDecimal())));
        Assert.Equal((5.15m, 0m), (statement.GetProperty("subtotal").GetDecimal(), statement.GetProperty("tax").GetDecimal()));

        // Nothing twice: the documents' calls are the five calls, their subtotals the rated sum of them.
        var documents = new[] { invoice, statement };
        Assert.Equal(5, documents.Sum(d => d.GetProperty("lines").EnumerateArray().Sum(l => l.GetProperty("calls").GetInt32())));
        Assert.Equal(6.45m, documents.Sum(d => d.GetProperty("subtotal").GetDecimal()));

        var page = await Client.GetAsync($"/api/invoices/{id}.{label}.02/document?format=html");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var again = await Client.PostOkAsync("/api/invoices/run", new { period = label });
        Assert.Equal((0, 0), (again.GetProperty("invoices").GetInt32(), again.GetProperty("statements").GetInt32()));
    }

    private async Task PutAccountAsync(string id, string deck, string mode, decimal initialBalance)
    {
        var body = new
        {
            name = "Mode Change Ltd", mode, currency = "GBP", creditLimit = mode == "postpaid" ? 1000 : (int?)null, hardLimit = false,
            initialBalance, rateDeckId = deck, billingDay = 1, timeZone = "Etc/UTC", tax = new { treatment = "standard", rate = 0.20 },
        };
        var response = await Client.PutAsync($"/api/accounts/{id}", JsonContent.Create(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<JsonElement> IngestAsync(string id, params (int Number, DateTimeOffset Start, string Called, int Seconds)[] calls)
    {
        var csv = new StringBuilder(Header).Append('\n');
        foreach (var (number, start, called, seconds) in calls)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{id}-{number},{id},+441234567,{called},{start:yyyy-MM-ddTHH:mm:ssZ},{seconds},ANSWERED,\n");
        }

        var response = await Client.PostAsync("/api/cdrs", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Empty(result.GetProperty("quarantined").EnumerateArray());
        return result;
    }
}
