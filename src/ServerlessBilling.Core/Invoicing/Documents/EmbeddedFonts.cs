using PdfSharp.Fonts;

namespace ServerlessBilling.Core.Invoicing.Documents;

/// <summary>
/// PDFsharp finds no system fonts on Linux, and a build machine may have none: the PDFs use DejaVu Sans,
/// embedded in this assembly, whatever family they ask for.
/// </summary>
internal sealed class EmbeddedFonts : IFontResolver
{
    public const string Family = "DejaVu Sans";
    private const string Regular = "DejaVuSans";
    private const string Bold = "DejaVuSans-Bold";
    private static readonly Lock Gate = new();

    /// <summary>Installs the resolver once per process, unless the host installed its own.</summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (GlobalFontSettings.FontResolver is null)
            {
                GlobalFontSettings.FontResolver = new EmbeddedFonts();
            }
        }
    }

    public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? Bold : Regular, mustSimulateBold: false, mustSimulateItalic: italic);

    /// <summary>The face's bytes, read from the assembly once: PDFsharp asks again for every document.</summary>
    public byte[] GetFont(string faceName) => Faces.GetOrAdd(faceName, Load);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> Faces = new(StringComparer.Ordinal);

    private static byte[] Load(string faceName)
    {
        using var stream = typeof(EmbeddedFonts).Assembly.GetManifestResourceStream($"ServerlessBilling.Fonts.{faceName}.ttf")
            ?? throw new InvalidOperationException($"the font {faceName} is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
