using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>Round thirteen of the hostile review, on the local host with its documents filed in a folder: invoicing.</summary>
public sealed class HostileRoundThirteenTests(InvoicingHostFixture host) : IClassFixture<InvoicingHostFixture>
{
    private const string Header = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition";

    private HttpClient Client => host.Client;

    [Fact]
    public async Task An_account_id_too_long_for_a_file_name_is_invoiced_and_its_documents_filed_and_the_next_run_succeeds()
    {
        // An id is up to 128 characters of any script (docs/api.md), so up to 512 bytes in UTF-8, and the document was
        // filed as invoices/{accountId}/{invoiceId}.pdf: past the 255 bytes a file name may have. The invoice was created,
        // its number left pending for want of its documents, and every later run then failed as a whole (500) while
        // finishing it: no account was invoiced any more.
        var account = new string('é', 120) + Guid.NewGuid().ToString("N")[..8];
        var bystander = $"bystander-{Guid.NewGuid():N}";
        foreach (var id in new[] { account, bystander })
        {
            Assert.Equal(HttpStatusCode.OK, (await Client.PutAsJsonAsync("/api/accounts/" + Uri.EscapeDataString(id), new { name = "Long", mode = "postpaid", currency = "GBP", rateDeckId = "demo" })).StatusCode);
        }

        await IngestAsync(account, "2026-10-20T10:00:00Z");
        var run = await Client.PostOkAsync("/api/invoices/run", new { period = "2026-10" });
        Assert.Equal(0, run.GetProperty("failed").GetInt32());

        var invoiceId = account + ".2026-10";
        var invoice = await Client.GetOkAsync("/api/invoices/" + Uri.EscapeDataString(invoiceId));
        Assert.Equal(0.4m, invoice.GetProperty("subtotal").GetDecimal());
        var filed = Directory.EnumerateFiles(Path.Combine(host.DocumentsPath, "invoices"), "*", SearchOption.AllDirectories)
            .Select(Path.GetFileName)
            .Where(name => name!.StartsWith(new string('é', 50), StringComparison.Ordinal))
            .ToList();
        Assert.Contains(filed, name => name!.EndsWith(".pdf", StringComparison.Ordinal));
        Assert.Contains(filed, name => name!.EndsWith(".html", StringComparison.Ordinal));
        Assert.All(filed, name => Assert.True(Encoding.UTF8.GetByteCount(name!) <= 255, name));

        // The next run still invoices the other accounts.
        await IngestAsync(bystander, "2026-10-21T10:00:00Z");
        var next = await Client.PostOkAsync("/api/invoices/run", new { period = "2026-10" });
        Assert.Equal(0, next.GetProperty("failed").GetInt32());
        Assert.Equal(0.4m, (await Client.GetOkAsync($"/api/invoices/{bystander}.2026-10")).GetProperty("subtotal").GetDecimal());
    }

    /// <summary>One 600 s call to a UK mobile (0.40) for <paramref name="account"/>, accepted.</summary>
    private async Task IngestAsync(string account, string start)
    {
        var csv = $"{Header}\nc-{Guid.NewGuid():N},{account},+441,+447700900123,{start},600,ANSWERED\n";
        var response = await Client.PostAsync("/api/cdrs", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("accepted").GetInt32());
    }
}
