using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using static ServerlessBilling.Core.Invoicing.Documents.InvoiceDocuments;

namespace ServerlessBilling.Core.Invoicing.Documents;

/// <summary>An A4 PDF of an invoice or statement: header, one table per usage section, totals, notes; pages break as needed.</summary>
internal static class InvoicePdf
{
    private const double Margin = 50;
    private const double Row = 17;
    private const double DestinationWidth = 220;
    private const double CallsRight = 285;
    private const double SecondsRight = 385;

    /// <summary>More characters than any line of the page holds: the narrowest glyph at the smallest size is over 2 points wide.</summary>
    private const int MaxLineCharacters = 400;

    public static byte[] Render(Invoice invoice)
    {
        EmbeddedFonts.Install();
        using var document = new PdfDocument();
        document.Info.Title = $"{Title(invoice)} {invoice.InvoiceNumber}";
        document.Info.Subject = $"{invoice.AccountName}, {invoice.Period}";
        document.Info.CreationDate = invoice.IssuedAt.UtcDateTime;
        var writer = new PageWriter(document);

        if (invoice.Issuer is { } issuer)
        {
            // The issuer's block sits top right; the title starts level with it on the left.
            writer.RightText(issuer.Name, writer.Strong, writer.Right);
            foreach (var line in issuer.DetailLines())
            {
                writer.Advance(Row * 0.8);
                writer.RightText(line, writer.Body, writer.Right);
            }

            writer.Advance(Row * 1.5);
        }

        writer.Text($"{Title(invoice)} {invoice.InvoiceNumber}", writer.Heading, 0);
        writer.Advance(30);
        writer.Wrapped(invoice.AccountName, writer.Strong);
        writer.Advance(Row);
        writer.Wrapped($"Account {invoice.AccountId}", writer.Body, XBrushes.DimGray);
        writer.Advance(Row * 1.5);
        writer.Pair("Period", PeriodText(invoice));
        writer.Pair("Issued", Date(IssueDate(invoice)));
        if (invoice.DueDate is { } due)
        {
            writer.Pair("Due", Date(due));
        }

        writer.Pair("Currency", invoice.Currency);
        writer.Advance(Row);

        Section(writer, "Usage in the period", null, invoice.Lines, invoice.Currency);
        foreach (var late in invoice.LateUsage)
        {
            Section(writer, $"Late usage from {late.Period}", $"Calls of {late.Period} that reached us after its invoice was issued.", late.Lines, invoice.Currency);
        }

        writer.Ensure(Row * 4);
        writer.Advance(Row * 0.5);
        writer.Total("Subtotal", Amount(invoice.Subtotal), writer.Body);
        if (invoice.Kind == InvoiceKind.Invoice)
        {
            writer.Total(TaxLabel(invoice), Amount(invoice.Tax), writer.Body);
        }

        writer.Rule(writer.Right - 220, 1.2);
        writer.Total(invoice.Kind == InvoiceKind.Statement ? "Usage charged" : "Total due", $"{Amount(invoice.Total)} {invoice.Currency}", writer.Strong);
        if (invoice.Balances is { } b)
        {
            writer.Advance(Row);
            writer.Ensure(Row * 6);
            writer.Text("Balance", writer.Subheading, 0);
            writer.Advance(Row * 1.4);
            writer.Total("Opening balance", Balance(b.OpeningBalance), writer.Body);
            writer.Total("Top-ups", Balance(b.TopUps), writer.Body);
            writer.Total("Usage", Balance(-b.Usage), writer.Body);
            writer.Total("Closing balance", $"{Balance(b.ClosingBalance)} {invoice.Currency}", writer.Strong);
            writer.Text("Pre-paid account: nothing is due.", writer.Body, 0, XBrushes.DimGray);
            writer.Advance(Row);
        }

        writer.Advance(Row);
        if (invoice.TaxNote is { } note)
        {
            writer.Ensure(Row * 2);
            writer.Text(note, writer.Small, 0);
            writer.Advance(Row);
        }

        if (invoice.DueDate is { } payBy)
        {
            writer.Ensure(Row * 2);
            writer.Text($"Please pay {Amount(invoice.Total)} {invoice.Currency} by {Date(payBy)}, quoting {invoice.InvoiceNumber}.", writer.Body, 0);
        }

        writer.Finish($"{invoice.InvoiceNumber}");
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    private static void Section(PageWriter writer, string title, string? caption, IReadOnlyList<InvoiceLine> lines, string currency)
    {
        writer.Ensure(Row * 4);
        writer.Text(title, writer.Subheading, 0);
        writer.Advance(Row * 1.3);
        if (caption is not null)
        {
            writer.Text(caption, writer.Small, 0, XBrushes.DimGray);
            writer.Advance(Row);
        }

        if (lines.Count == 0)
        {
            writer.Text("No calls.", writer.Body, 0, XBrushes.DimGray);
            writer.Advance(Row * 1.5);
            return;
        }

        writer.TableHeader(currency);
        foreach (var line in lines)
        {
            if (writer.Ensure(Row * 2))
            {
                writer.TableHeader(currency);
            }

            writer.Text(line.Destination, writer.Body, 0, width: DestinationWidth);
            writer.RightText(Count(line.Calls), writer.Body, CallsRight);
            writer.RightText(Count(line.BilledSeconds), writer.Body, SecondsRight);
            writer.RightText(Amount(line.Amount), writer.Body, writer.Width);
            writer.Advance(Row);
            writer.Rule(0, 0.3);
        }

        writer.Advance(Row * 0.5);
    }

    /// <summary>A cursor over A4 pages: adds a page when the next block would not fit.</summary>
    private sealed class PageWriter
    {
        private readonly PdfDocument _document;
        private readonly List<PdfPage> _pages = [];
        private XGraphics _gfx;
        private double _y;

        public PageWriter(PdfDocument document)
        {
            _document = document;
            _gfx = NewPage();
        }

        public XFont Heading { get; } = new(EmbeddedFonts.Family, 20, XFontStyleEx.Bold);

        public XFont Subheading { get; } = new(EmbeddedFonts.Family, 12, XFontStyleEx.Bold);

        public XFont Strong { get; } = new(EmbeddedFonts.Family, 10, XFontStyleEx.Bold);

        public XFont Body { get; } = new(EmbeddedFonts.Family, 10, XFontStyleEx.Regular);

        public XFont Small { get; } = new(EmbeddedFonts.Family, 8, XFontStyleEx.Regular);

        public double Width { get; private set; }

        public double Right => Width;

        public void Advance(double height) => _y += height;

        public void Text(string text, XFont font, double x, XBrush? brush = null, double? width = null)
        {
            var shown = width is { } w ? Fit(text, font, w) : text;
            _gfx.DrawString(shown, font, brush ?? XBrushes.Black, new XPoint(Margin + x, _y + font.Size), XStringFormats.Default);
        }

        /// <summary>
        /// Draws <paramref name="text"/> from the left margin on as many lines as it needs (breaking at a space where one
        /// is in reach, else between two characters), so that none of it runs off the page; the cursor ends on its last line.
        /// </summary>
        public void Wrapped(string text, XFont font, XBrush? brush = null)
        {
            var start = 0;
            while (true)
            {
                var rest = text.AsSpan(start);
                var fits = Math.Max(Fitting(rest, font, Width, ""), 1);
                if (fits >= rest.Length)
                {
                    Text(rest.ToString(), font, 0, brush);
                    return;
                }

                var space = rest[..(fits + 1)].LastIndexOf(' ');
                var cut = space > 0 ? space : fits;
                Text(rest[..cut].TrimEnd(' ').ToString(), font, 0, brush);
                start += cut + (rest[cut..].Length - rest[cut..].TrimStart(' ').Length);
                Advance(Row);
                Ensure(Row);
            }
        }

        public void RightText(string text, XFont font, double right, XBrush? brush = null)
        {
            var width = _gfx.MeasureString(text, font).Width;
            _gfx.DrawString(text, font, brush ?? XBrushes.Black, new XPoint(Margin + right - width, _y + font.Size), XStringFormats.Default);
        }

        public void Pair(string name, string value)
        {
            Text(name, Body, 0, XBrushes.DimGray);
            Text(value, Body, 90);
            Advance(Row);
        }

        public void Total(string name, string value, XFont font)
        {
            Text(name, font, Width - 220);
            RightText(value, font, Width);
            Advance(Row);
        }

        public void Rule(double from, double thickness)
        {
            _gfx.DrawLine(new XPen(XColors.LightGray, thickness), Margin + from, _y + 2, Margin + Width, _y + 2);
            Advance(4);
        }

        public void TableHeader(string currency)
        {
            _gfx.DrawRectangle(new XSolidBrush(XColor.FromArgb(241, 244, 247)), Margin, _y, Width, Row + 2);
            Advance(2);
            Text("Destination", Strong, 4);
            RightText("Calls", Strong, CallsRight);
            RightText("Billed seconds", Strong, SecondsRight);
            RightText($"Amount ({currency})", Strong, Width);
            Advance(Row + 2);
        }

        /// <summary>Starts a new page when less than <paramref name="height"/> is left; true when it did.</summary>
        public bool Ensure(double height)
        {
            if (_y + height <= _pages[^1].Height.Point - Margin - 20)
            {
                return false;
            }

            _gfx.Dispose();
            _gfx = NewPage();
            return true;
        }

        /// <summary>Numbers the pages ("INV-2026-000042 · page 1 of 2") and closes the drawing.</summary>
        public void Finish(string reference)
        {
            _gfx.Dispose();
            for (var i = 0; i < _pages.Count; i++)
            {
                using var gfx = XGraphics.FromPdfPage(_pages[i], XGraphicsPdfPageOptions.Append);
                var text = $"{reference} · page {i + 1} of {_pages.Count}";
                var width = gfx.MeasureString(text, Small).Width;
                gfx.DrawString(text, Small, XBrushes.DimGray, new XPoint(Margin + Width - width, _pages[i].Height.Point - Margin + 10), XStringFormats.Default);
            }
        }

        private XGraphics NewPage()
        {
            var page = _document.AddPage();
            page.Size = PdfSharp.PageSize.A4;
            _pages.Add(page);
            Width = page.Width.Point - (2 * Margin);
            _y = Margin;
            return XGraphics.FromPdfPage(page);
        }

        private string Fit(string text, XFont font, double width)
        {
            var fits = Fitting(text, font, width, "");
            return fits == text.Length ? text : text[..Fitting(text, font, width, "…")].TrimEnd() + "…";
        }

        /// <summary>
        /// How many characters of <paramref name="text"/> fit <paramref name="width"/> with <paramref name="suffix"/> after
        /// them: the longest run of whole text elements, so that no surrogate pair or combining mark is cut in two. Only the
        /// first <see cref="MaxLineCharacters"/> are measured, so that a very long text costs no more than a line's worth.
        /// </summary>
        private int Fitting(ReadOnlySpan<char> text, XFont font, double width, string suffix)
        {
            if (text.Length <= MaxLineCharacters && Measure(text, suffix, font) <= width)
            {
                return text.Length;
            }

            // The longest prefix that fits, by bisection over the text elements' starts: measuring is the costly part.
            var candidate = text[..Math.Min(text.Length, MaxLineCharacters)].ToString();
            var starts = StringInfo.ParseCombiningCharacters(candidate);
            int fits = 0, over = starts.Length;
            while (over - fits > 1)
            {
                var mid = (fits + over) / 2;
                if (Measure(candidate.AsSpan(0, starts[mid]), suffix, font) <= width)
                {
                    fits = mid;
                }
                else
                {
                    over = mid;
                }
            }

            return starts[fits];
        }

        private double Measure(ReadOnlySpan<char> text, string suffix, XFont font) => _gfx.MeasureString(string.Concat(text, suffix), font).Width;
    }
}
