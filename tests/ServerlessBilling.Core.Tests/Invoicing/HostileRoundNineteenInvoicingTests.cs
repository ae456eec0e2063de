using PdfSharp.Drawing;
using PdfSharp.Pdf.Content;
using PdfSharp.Pdf.Content.Objects;
using PdfSharp.Pdf.IO;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Invoicing.Documents;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Invoicing;

/// <summary>Round nineteen of the hostile review: long and non-Latin text in the PDF.</summary>
public sealed class HostileRoundNineteenInvoicingTests
{
    private const double A4Width = 595;
    private const double Margin = 50;
    private static readonly DateTimeOffset IssuedAt = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_name_longer_than_the_page_is_wide_is_printed_whole_on_as_many_lines_as_it_needs()
    {
        // The account name (of any length) and the account id were drawn on one line each: what passed the right edge of
        // the page was not on the document, so a long company name was cut short on its invoice without a sign of it.
        var name = string.Join(' ', Enumerable.Range(1, 90).Select(i => $"Name{i:000}"));
        var pdf = InvoiceDocuments.Pdf(Build(Fixtures.Postpaid(100m, hard: false) with { Name = name }, "acme", ("France", 1m)));

        var shown = Strings(pdf).Where(s => s.StartsWith("Name", StringComparison.Ordinal)).ToList();

        Assert.Equal(name, string.Join(' ', shown));
        var font = new XFont(EmbeddedFonts.Family, 10, XFontStyleEx.Bold);
        using var measure = XGraphics.CreateMeasureContext(new XSize(A4Width, 842), XGraphicsUnit.Point, XPageDirection.Downwards);
        Assert.All(shown, s => Assert.InRange(measure.MeasureString(s, font).Width, 0, A4Width - (2 * Margin)));
    }

    [Fact]
    public void A_name_of_more_than_200_characters_is_refused_as_the_account_s_settings()
    {
        // Any length was taken: a name of half a megabyte made a 98-page invoice, and sat in the account document.
        var settings = Fixtures.Postpaid(100m, hard: false);

        Assert.Empty((settings with { Name = new string('N', 200) }).Validate());
        Assert.Equal(["name is longer than 200 characters"], (settings with { Name = new string('N', 201) }).Validate());
    }

    [Fact]
    public void A_destination_cut_to_fit_its_column_keeps_its_last_emoji_whole()
    {
        // The cut fell between the two halves of a surrogate pair: the half left over printed as the font's missing-glyph box.
        var pdf = InvoiceDocuments.Pdf(Build(Fixtures.Postpaid(100m, hard: false), "acme", ("AA" + string.Concat(Enumerable.Repeat("😀", 40)), 1m)));

        var glyphs = GlyphStrings(pdf).SelectMany(h => h.Chunk(2).Select(g => (g[0] << 8) | g[1])).ToList();

        Assert.NotEmpty(glyphs);
        Assert.DoesNotContain(0, glyphs);
    }

    private static Invoice Build(AccountSettings settings, string accountId, params (string Destination, decimal Amount)[] calls)
    {
        var account = AccountState.Open(accountId, settings, 0m, IssuedAt);
        foreach (var (destination, amount) in calls)
        {
            account = account.Commit(new ChargeLine(amount, 60, 1, destination, new DateTimeOffset(2026, 10, 2, 10, 0, 0, TimeSpan.Zero)), IssuedAt);
        }

        var closed = account.CloseThrough("2026-10");
        return InvoiceBuilder.Build(closed, closed.Totals["2026-10"], new NumberReservation($"{accountId}.2026-10", "INV-2026-000042", 42, IssuedAt));
    }

    /// <summary>The operands of the text-showing operators, in drawing order, each with whether its font takes glyph ids (Type0).</summary>
    private static IEnumerable<(CString Text, bool Glyphs)> Shown(byte[] pdf)
    {
        using var stream = new MemoryStream(pdf);
        using var document = PdfReader.Open(stream, PdfDocumentOpenMode.Import);
        foreach (var page in document.Pages)
        {
            var glyphs = false;
            foreach (var op in Operators(ContentReader.ReadContent(page)))
            {
                if (op.OpCode.Name == "Tf" && op.Operands[0] is CName font)
                {
                    var fonts = page.Resources.Elements.GetDictionary("/Font")!;
                    glyphs = fonts.Elements.GetDictionary(font.Name)!.Elements.GetName("/Subtype") == "/Type0";
                }
                else if (op.OpCode.Name is "Tj" or "'" or "\"" && op.Operands[^1] is CString text)
                {
                    yield return (text, glyphs);
                }
            }
        }
    }

    private static IEnumerable<string> Strings(byte[] pdf) => Shown(pdf).Where(s => !s.Glyphs).Select(s => s.Text.Value);

    private static IEnumerable<byte[]> GlyphStrings(byte[] pdf) =>
        Shown(pdf).Where(s => s.Glyphs).Select(s => s.Text.Value.Select(c => (byte)c).ToArray());

    private static IEnumerable<COperator> Operators(CSequence sequence)
    {
        foreach (var item in sequence)
        {
            if (item is COperator op)
            {
                yield return op;
            }
            else if (item is CSequence inner)
            {
                foreach (var nested in Operators(inner))
                {
                    yield return nested;
                }
            }
        }
    }
}
