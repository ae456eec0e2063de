using System.Globalization;

namespace ServerlessBilling.Core.Validation;

/// <summary>
/// The start of a text quoted in an error or kept as a sample, cut between text elements (a character with its combining
/// marks, an emoji with its modifiers): a cut by code units could fall inside a surrogate pair and leave half of it, a
/// lone surrogate, which is not text (written as UTF-8 it becomes U+FFFD; a strict encoder throws on it).
/// </summary>
public static class Excerpt
{
    /// <summary><paramref name="text"/> when it has at most <paramref name="max"/> code units, else its longest start that does and <paramref name="more"/>.</summary>
    public static string Of(ReadOnlySpan<char> text, int max, string more = "…")
    {
        if (text.Length <= max)
        {
            return text.ToString();
        }

        var cut = 0;
        while (cut < max)
        {
            var next = StringInfo.GetNextTextElementLength(text[cut..]);
            if (cut + next > max)
            {
                break;
            }

            cut += next;
        }

        if (cut == 0)
        {
            // One text element longer than the excerpt (a letter under dozens of marks): cut it, but never inside a pair.
            cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        }

        return string.Concat(text[..cut], more);
    }
}
