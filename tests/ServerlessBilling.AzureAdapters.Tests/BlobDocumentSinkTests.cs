using Azure.Storage.Blobs;
using ServerlessBilling.AzureAdapters.Blob;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.AzureAdapters.Tests;

/// <summary>Invoice documents filed in Blob storage, against Azurite.</summary>
public sealed class BlobDocumentSinkTests
{
    private static BlobContainerClient NewContainer() =>
        BlobRegistration.CreateContainer(new DocumentStorageOptions { ConnectionString = AzuriteFactAttribute.ConnectionString, Container = $"docs-{Guid.NewGuid():N}" });

    [AzuriteFact]
    public async Task A_document_is_written_with_its_content_type_and_a_rewrite_replaces_it()
    {
        var container = NewContainer();
        var sink = new BlobDocumentSink(container, createContainer: true);

        await sink.PutAsync("invoices/acme/acme.2026-10.html", "text/html; charset=utf-8", "<p>one</p>"u8.ToArray(), default);
        await sink.PutAsync("invoices/acme/acme.2026-10.html", "text/html; charset=utf-8", "<p>two</p>"u8.ToArray(), default);

        var blob = container.GetBlobClient("invoices/acme/acme.2026-10.html");
        var content = await blob.DownloadContentAsync();
        Assert.Equal("<p>two</p>", content.Value.Content.ToString());
        Assert.Equal("text/html; charset=utf-8", content.Value.Details.ContentType);
        await container.DeleteAsync();
    }

    [AzuriteFact]
    public async Task The_invoice_run_files_html_and_pdf_in_blob_storage()
    {
        var container = NewContainer();
        var stores = new InvoicingStores(
            new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), new InMemoryUsageStore(), new InMemoryQuarantineStore(),
            new InMemoryInvoiceStore(), new InMemoryInvoiceCounterStore());
        var h = new InvoicingHarness(stores, new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero));
        var account = await h.OpenAsync("blob", Fixtures.Postpaid(1000m, hard: false) with { Tax = new TaxSettings(TaxTreatment.ReverseCharge, 0m) });
        await h.IngestAsync(account, ("+33145678901", "2026-10-10T10:00:00Z", 20));

        var outcome = await h.NewRunService(new BlobDocumentSink(container, createContainer: true)).RunAsync("2026-10", default);
        Assert.Equal(1, outcome.Answer!.Invoices);

        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"invoices/{account}/", default))
        {
            names.Add(item.Name);
        }

        Assert.Equal([$"invoices/{account}/{account}.2026-10.html", $"invoices/{account}/{account}.2026-10.pdf"], names.Order(StringComparer.Ordinal));
        var pdf = await container.GetBlobClient(names.Single(n => n.EndsWith(".pdf", StringComparison.Ordinal))).DownloadContentAsync();
        Assert.Equal("application/pdf", pdf.Value.Details.ContentType);
        Assert.Equal("%PDF"u8.ToArray(), pdf.Value.Content.ToArray()[..4]);
        var html = (await container.GetBlobClient(names.Single(n => n.EndsWith(".html", StringComparison.Ordinal))).DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("Reverse charge", html, StringComparison.Ordinal);
        await container.DeleteAsync();
    }

    [Fact]
    public void Settings_need_exactly_one_way_to_reach_storage()
    {
        Assert.NotEmpty(new DocumentStorageOptions().Validate());
        Assert.NotEmpty(new DocumentStorageOptions { ConnectionString = "x", ServiceUri = "https://a.blob.core.windows.net/" }.Validate());
        Assert.Empty(new DocumentStorageOptions { ServiceUri = "https://a.blob.core.windows.net/" }.Validate());
    }
}
