using System.Buffers;
using System.Globalization;

namespace ServerlessBilling.Core.Validation;

/// <summary>
/// The one rule for free text the platform prints as it is (an account's name heading its invoices, a deck's destination
/// names on their lines, a suspension's reason in its alert and the log): no character that breaks or reorders the line
/// it is printed on. A control character (C0, DEL, C1) is printed raw or breaks the line; a line or paragraph separator
/// (U+2028, U+2029) breaks it as a line feed does; a bidirectional embedding, override or isolate (U+202A-U+202E,
/// U+2066-U+2069) reorders what follows it ("Trojan Source": "Premium 0900" can print as "0090 muimerP", and one left
/// open reorders the rest of the line). Right-to-left scripts need none of them, and the marks U+200E, U+200F stay allowed.
/// </summary>
public static class DisplayText
{
    private static readonly SearchValues<char> Unprintable = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F"
        + "\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008A\u008B\u008C\u008D\u008E\u008F"
        + "\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009A\u009B\u009C\u009D\u009E\u009F"
        + "\u2028\u2029\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069");

    /// <summary>
    /// What <paramref name="text"/> holds that printed text must not, as the end of a sentence naming the field
    /// ("a control character", "a line separator (U+2028)", "a bidirectional control (U+202E), …"), or null.
    /// </summary>
    public static string? Unfit(ReadOnlySpan<char> text)
    {
        var at = text.IndexOfAny(Unprintable);
        if (at < 0)
        {
            return null;
        }

        var c = text[at];
        var code = ((int)c).ToString("X4", CultureInfo.InvariantCulture);
        return c switch
        {
            '\u2028' => $"a line separator (U+{code})",
            '\u2029' => $"a paragraph separator (U+{code})",
            >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' => $"a bidirectional control (U+{code}), which reorders the text after it",
            _ => "a control character",
        };
    }
}
