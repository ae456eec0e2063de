using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Tests.Rating;

/// <summary>
/// A deck's line errors quote the bad value, cut to 40 characters. The cut fell inside a surrogate pair when an emoji
/// straddled the 40th character, so the error held half of it: a lone surrogate, which is not text (written as UTF-8 it
/// is U+FFFD, and a strict encoder throws on it). The cut now falls between text elements.
/// </summary>
public sealed class DeckErrorExcerptTests
{
    [Theory]
    [InlineData(39)]
    [InlineData(38)]
    [InlineData(40)]
    public void An_excerpt_never_ends_in_half_a_character(int before)
    {
        var destination = new string('x', before) + "😀" + new string('y', 200);

        var import = RateDeckParser.Parse("d", $"{Decks.Header}\n44,{destination},0.01,0,60,60,,\n");

        var reason = Assert.Single(import.Errors).Reason;
        Assert.True(IsText(reason), reason);
        var excerpt = reason[(reason.IndexOf('\'', StringComparison.Ordinal) + 1)..reason.IndexOf("…'", StringComparison.Ordinal)];
        Assert.StartsWith(excerpt, destination, StringComparison.Ordinal);
        Assert.InRange(excerpt.Length, 39, 40);
    }

    [Fact]
    public void An_excerpt_keeps_a_character_with_its_combining_marks()
    {
        var destination = new string('x', 39) + "e\u0301" + new string('y', 200);

        var reason = Assert.Single(RateDeckParser.Parse("d", $"{Decks.Header}\n44,{destination},0.01,0,60,60,,\n").Errors).Reason;

        Assert.Contains($"'{new string('x', 39)}…'", reason, StringComparison.Ordinal);
    }

    private static bool IsText(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return false;
            }
        }

        return true;
    }
}
