using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>The local host with its documents filed in a temporary folder that the tests can look into.</summary>
public sealed class InvoicingHostFixture : LocalHostFixture
{
    public string DocumentsPath { get; } = Path.Combine(Path.GetTempPath(), $"sb-documents-{Guid.NewGuid():N}");

    protected override IEnumerable<string> Settings =>
    [
        .. base.Settings, $"--Local:DocumentsPath={DocumentsPath}",
        "--Invoicing:Issuer:Name=Example Telecom Ltd", "--Invoicing:Issuer:Address:0=1 Long Lane",
        "--Invoicing:Issuer:Address:1=London EC1A 9HF", "--Invoicing:Issuer:TaxId=VAT GB 123 4567 89",
    ];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(DocumentsPath))
        {
            Directory.Delete(DocumentsPath, recursive: true);
        }
    }
}

/// <summary>
/// The invoicing endpoints over HTTP, with the real clock: October 2026 is a closed period by the time these run
/// (the period to invoice is given explicitly, as an operator would after a late CDR file).
/// </summary>
public sealed class InvoiceHttpTests(InvoicingHostFixture host) : IClassFixture<InvoicingHostFixture>
{
    private const string Header = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id";

    private HttpClient Client => host.Client;

    [Fact]
    public async Task An_october_invoice_is_issued_once_read_back_and_rendered()
    {
        var account = await NewPostpaidAsync(paymentTermsDays: 10);
        var csv = $"""
            {Header}
            {account}-1,{account},+441,+33612345678,2026-10-10T10:00:00Z,342,ANSWERED,
            {account}-2,{account},+441,+447700900123,2026-10-31T23:30:00Z,61,ANSWERED,
            {account}-3,{account},+441,+447700900123,2026-09-30T22:30:00Z,61,ANSWERED,

            """;
        var ingest = await Client.PostAsync("/api/cdrs", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);

        var run = await PostJsonAsync("/api/invoices/run", """{ "period": "2026-10" }""");
        Assert.True(run.GetProperty("invoices").GetInt32() >= 2); // September (the 22:30 UTC call) and October
        Assert.Equal(0, run.GetProperty("failed").GetInt32());

        var invoiceId = $"{account}.2026-10";
        var invoice = await GetJsonAsync($"/api/invoices/{invoiceId}");
        Assert.Matches("^INV-20[0-9]{2}-[0-9]{6}$", invoice.GetProperty("invoiceNumber").GetString());
        Assert.Equal(("invoice", "GBP", "standard"), (invoice.GetProperty("kind").GetString(), invoice.GetProperty("currency").GetString(), invoice.GetProperty("taxTreatment").GetString()));
        var lines = invoice.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal(["France Mobile", "United Kingdom Mobile"], lines.Select(l => l.GetProperty("destination").GetString()));
        Assert.Equal(1.38m, lines[0].GetProperty("amount").GetDecimal());  // 0.01 + 0.24 × 342/60 = 1.378
        Assert.Equal(0.04m, lines[1].GetProperty("amount").GetDecimal());  // 66 s at 0.04/min = 0.044
        Assert.Equal((1.42m, 0.28m, 1.70m), (invoice.GetProperty("subtotal").GetDecimal(), invoice.GetProperty("tax").GetDecimal(), invoice.GetProperty("total").GetDecimal()));
        var issued = invoice.GetProperty("issuedAt").GetDateTimeOffset();
        var issuedLondon = TimeZoneInfo.ConvertTime(issued, TimeZoneInfo.FindSystemTimeZoneById("Europe/London"));
        Assert.Equal(DateOnly.FromDateTime(issuedLondon.DateTime).AddDays(10), DateOnly.Parse(invoice.GetProperty("dueDate").GetString()!, System.Globalization.CultureInfo.InvariantCulture));

        var list = await GetJsonAsync($"/api/accounts/{account}/invoices");
        Assert.Equal([$"{account}.2026-10", $"{account}.2026-09"], list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("invoiceId").GetString()));

        var again = await PostJsonAsync("/api/invoices/run", """{ "period": "2026-10" }""");
        Assert.Equal(0, again.GetProperty("invoices").GetInt32());
        Assert.Equal(invoice.GetProperty("invoiceNumber").GetString(), (await GetJsonAsync($"/api/invoices/{invoiceId}")).GetProperty("invoiceNumber").GetString());

        var pdf = await Client.GetAsync($"/api/invoices/{invoiceId}/document?format=pdf");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType!.MediaType);
        Assert.Equal("%PDF"u8.ToArray(), (await pdf.Content.ReadAsByteArrayAsync())[..4]);
        var html = await Client.GetAsync($"/api/invoices/{invoiceId}/document?format=html");
        Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);
        var page = await html.Content.ReadAsStringAsync();
        Assert.Contains(invoice.GetProperty("invoiceNumber").GetString()!, page, StringComparison.Ordinal);
        Assert.Contains("<strong>Example Telecom Ltd</strong><br>1 Long Lane<br>London EC1A 9HF<br>VAT GB 123 4567 89</address>", page, StringComparison.Ordinal);

        var filed = Path.Combine(host.DocumentsPath, "invoices", account);
        Assert.True(File.Exists(Path.Combine(filed, invoiceId + ".pdf")));
        Assert.True(File.Exists(Path.Combine(filed, invoiceId + ".html")));
    }

    [Theory]
    [InlineData("""{ "period": "2026-13" }""", "period")]
    [InlineData("""{ "period": "9999-01" }""", "from 1999-12 to 9998-12")]
    [InlineData("""{ "period": 202610 }""", "wrong type")]
    [InlineData("""not json""", "malformed JSON")]
    public async Task A_bad_run_request_is_a_400_that_says_why(string body, string detail)
    {
        var response = await Client.PostAsync("/api/invoices/run", new StringContent(body, Encoding.UTF8, "application/json"));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
    }

    [Theory]
    [InlineData("/api/invoices/nothing-here", HttpStatusCode.BadRequest, "not an invoice id")]
    [InlineData("/api/invoices/nobody.2026-10", HttpStatusCode.NotFound, "does not exist")]
    [InlineData("/api/invoices/nobody.2026-10/document?format=docx", HttpStatusCode.BadRequest, "html or pdf")]
    [InlineData("/api/accounts/nobody-at-all/invoices", HttpStatusCode.NotFound, "does not exist")]
    public async Task Unknown_or_malformed_invoice_requests_say_why(string path, HttpStatusCode status, string detail) =>
        await AssertProblemAsync(await Client.GetAsync(path), status, detail);

    [Fact]
    public async Task Payment_terms_out_of_range_are_refused()
    {
        var response = await Client.PutAsync($"/api/accounts/terms-{Guid.NewGuid():N}", JsonContent.Create(Account(-1)));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "paymentTermsDays");
    }

    private static object Account(int paymentTermsDays) => new
    {
        name = "Invoice Test Ltd", mode = "postpaid", currency = "GBP", creditLimit = 5000, hardLimit = false, rateDeckId = "demo",
        billingDay = 1, timeZone = "Europe/London", tax = new { treatment = "standard", rate = 0.20 }, paymentTermsDays,
    };

    private async Task<string> NewPostpaidAsync(int paymentTermsDays)
    {
        var id = $"inv-{Guid.NewGuid():N}";
        var response = await Client.PutAsync($"/api/accounts/{id}", JsonContent.Create(Account(paymentTermsDays)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return id;
    }

    private async Task<JsonElement> PostJsonAsync(string path, string json)
    {
        var response = await Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
