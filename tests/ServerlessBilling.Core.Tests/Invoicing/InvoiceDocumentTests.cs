using System.Text;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Invoicing.Documents;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Invoicing;

public sealed class InvoiceDocumentTests
{
    private static readonly DateTimeOffset IssuedAt = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);

    private static Invoice Build(AccountSettings settings, params (string Destination, decimal Amount, string Start)[] calls) =>
        Build(settings, null, calls);

    private static Invoice Build(AccountSettings settings, InvoiceIssuer? issuer, params (string Destination, decimal Amount, string Start)[] calls)
    {
        var account = AccountState.Open("acme", settings, 0m, IssuedAt);
        foreach (var (destination, amount, start) in calls)
        {
            account = account.Commit(new ChargeLine(amount, 60, 1, destination, DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture)), IssuedAt);
        }

        var closed = account.CloseThrough("2026-10");
        return InvoiceBuilder.Build(closed, closed.Totals["2026-10"], new NumberReservation("acme.2026-10", "INV-2026-000042", 42, IssuedAt), issuer);
    }

    [Fact]
    public void Each_line_is_rounded_once_and_tax_on_the_subtotal()
    {
        // 0.005 twice on one line is 0.01; on two lines it is 0.01 + 0.01 = 0.02: the rule rounds per line.
        var invoice = Build(Fixtures.Postpaid(100m, hard: false), ("France", 0.005m, "2026-10-02T10:00:00Z"), ("France", 0.005m, "2026-10-03T10:00:00Z"), ("Spain", 0.0050m, "2026-10-04T10:00:00Z"), ("Italy", 0.0049m, "2026-10-05T10:00:00Z"));

        Assert.Equal([("France", 0.01m), ("Italy", 0.00m), ("Spain", 0.01m)], invoice.Lines.Select(l => (l.Destination, l.Amount)));
        Assert.Equal((0.02m, 0.00m, 0.02m), (invoice.Subtotal, invoice.Tax, invoice.Total)); // 0.02 × 0.20 = 0.004 → 0.00
    }

    /// <summary>
    /// The lines came in the ordinal order of their destinations, so "Destination 299" was listed before "Destination 3"
    /// and "Zone 10" before "Zone 9". Numbers in a name are read as numbers now (everything else is still ordinal, and names
    /// equal but for leading zeros keep a fixed order), in the invoice and in every document of it.
    /// </summary>
    [Fact]
    public void Numbers_in_destination_names_are_in_numeric_order_on_the_invoice_and_its_documents()
    {
        var invoice = Lines("Destination 299", "Destination 3", "Destination 30", "Zone 10", "Zone 9", "Zone 09", "zone 1", "Destination 3 Mobile", "Destination");

        string[] expected = ["Destination", "Destination 3", "Destination 3 Mobile", "Destination 30", "Destination 299", "Zone 9", "Zone 09", "Zone 10", "zone 1"];
        Assert.Equal(expected, invoice.Lines.Select(l => l.Destination));
        var html = Encoding.UTF8.GetString(InvoiceDocuments.Html(invoice));
        var positions = expected.Select(d => html.IndexOf($"<td>{d}</td>", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
    }

    [Fact]
    public void The_order_of_lines_does_not_depend_on_the_order_calls_came_in()
    {
        string[] names = ["B 10", "B 2", "A 01", "A 1", "A 001", "B 1x", "B 1"];

        var once = Lines(names).Lines.Select(l => l.Destination).ToList();

        Assert.Equal(once, Lines([.. names.Reverse()]).Lines.Select(l => l.Destination));
        Assert.Equal(["A 1", "A 01", "A 001", "B 1", "B 1x", "B 2", "B 10"], once);
    }

    private static Invoice Lines(params string[] destinations) =>
        Build(Fixtures.Postpaid(100m, hard: false), [.. destinations.Select(d => (d, 1m, "2026-10-02T10:00:00Z"))]);

    [Fact]
    public void Html_escapes_what_the_account_and_deck_supply()
    {
        var settings = Fixtures.Postpaid(100m, hard: false) with { Name = "<script>alert(1)</script> & Co" };
        var html = Encoding.UTF8.GetString(InvoiceDocuments.Html(Build(settings, ("<b>Mars</b>", 1m, "2026-10-02T10:00:00Z"))));

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>Mars", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co", html, StringComparison.Ordinal);
        Assert.Contains("Invoice INV-2026-000042", html, StringComparison.Ordinal);
        Assert.Contains("1 October 2026 – 31 October 2026", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_issuer_heads_the_document_escaped_and_is_absent_when_not_configured()
    {
        var issuer = new InvoiceIssuer { Name = "Tele <Co> & Sons", Address = ["1 Long Lane", "", "London"], TaxId = "VAT GB1", Contact = "billing@example.com" };
        var invoice = Build(Fixtures.Postpaid(100m, hard: false), issuer, ("France", 1m, "2026-10-02T10:00:00Z"));
        var html = Encoding.UTF8.GetString(InvoiceDocuments.Html(invoice));

        Assert.Same(issuer, invoice.Issuer);
        Assert.Contains("<address class=\"issuer\"><strong>Tele &lt;Co&gt; &amp; Sons</strong><br>1 Long Lane<br>London<br>VAT GB1<br>billing@example.com</address>", html, StringComparison.Ordinal);
        Assert.StartsWith("%PDF-", Encoding.Latin1.GetString(InvoiceDocuments.Pdf(invoice)), StringComparison.Ordinal);

        var unnamed = Build(Fixtures.Postpaid(100m, hard: false), new InvoiceIssuer(), ("France", 1m, "2026-10-02T10:00:00Z"));
        Assert.Null(unnamed.Issuer);
        Assert.DoesNotContain("<address", Encoding.UTF8.GetString(InvoiceDocuments.Html(unnamed)), StringComparison.Ordinal);
    }

    [Fact]
    public void Issuer_settings_are_validated()
    {
        Assert.Empty(new InvoiceRunOptions { Issuer = new InvoiceIssuer { Name = "Tele Co", Address = ["a", "b"] } }.Validate());
        Assert.Equal(
            ["Invoicing:Issuer:Name is required when other Invoicing:Issuer settings are given"],
            new InvoiceRunOptions { Issuer = new InvoiceIssuer { TaxId = "VAT GB1" } }.Validate());
        Assert.Equal(
            ["Invoicing:Issuer:Address must be at most 6 lines of at most 200 characters"],
            new InvoiceRunOptions { Issuer = new InvoiceIssuer { Name = "Tele Co", Address = Enumerable.Repeat("line", 7).ToList() } }.Validate());
    }

    [Fact]
    public void Reverse_charge_documents_carry_the_legal_note()
    {
        var invoice = Build(Fixtures.Postpaid(100m, hard: false) with { Tax = new TaxSettings(TaxTreatment.ReverseCharge, 0.2m) }, ("France", 1m, "2026-10-02T10:00:00Z"));
        var html = Encoding.UTF8.GetString(InvoiceDocuments.Html(invoice));

        Assert.Contains("VAT (reverse charge)", html, StringComparison.Ordinal);
        Assert.Contains("Article 196", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_statement_shows_balances_and_no_amount_due()
    {
        var invoice = Build(Fixtures.Prepaid(), ("France", 1.2345m, "2026-10-02T10:00:00Z"));
        var html = Encoding.UTF8.GetString(InvoiceDocuments.Html(invoice));

        Assert.Equal((InvoiceKind.Statement, 0m, (DateOnly?)null), (invoice.Kind, invoice.Tax, invoice.DueDate));
        Assert.Equal(new StatementBalances(0m, 0m, 1.2345m, -1.2345m), invoice.Balances);
        Assert.Contains("-1.2345 GBP", html, StringComparison.Ordinal);
        Assert.Contains("nothing is due", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Please pay", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_pdf_is_a_pdf_with_its_fonts_embedded_and_a_page_per_fifty_odd_lines()
    {
        var calls = Enumerable.Range(0, 120).Select(i => ($"Destination {i:000}", 0.5m, "2026-10-02T10:00:00Z")).ToArray();
        var pdf = InvoiceDocuments.Pdf(Build(Fixtures.Postpaid(1000m, hard: false), calls));
        var text = Encoding.Latin1.GetString(pdf);

        Assert.StartsWith("%PDF-", text, StringComparison.Ordinal);
        Assert.Contains("/FontFile2", text, StringComparison.Ordinal);
        Assert.Contains("DejaVu", text, StringComparison.Ordinal);
        Assert.InRange(System.Text.RegularExpressions.Regex.Count(text, @"/Type\s*/Page[^s]"), 3, 5);
    }
}
