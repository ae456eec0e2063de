using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Tests.Rating;

/// <summary>Shared helpers for rate-deck tests.</summary>
internal static class Decks
{
    public const string Header = "prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to";

    /// <summary>Imports a deck that must be valid, showing the errors when it is not.</summary>
    public static RateDeck Import(params string[] lines)
    {
        var import = RateDeckParser.Parse("test-deck", string.Join("\n", lines));
        Assert.True(import.Succeeded, "import failed: " + string.Join("; ", import.Errors));
        Assert.Empty(import.Errors);
        return import.Deck!;
    }

    /// <summary>Imports a deck that must be rejected and returns its errors.</summary>
    public static IReadOnlyList<DeckLineError> Errors(params string[] lines)
    {
        var import = RateDeckParser.Parse("test-deck", string.Join("\n", lines));
        Assert.False(import.Succeeded);
        Assert.Null(import.Deck);
        Assert.NotEmpty(import.Errors);
        return import.Errors;
    }

    /// <summary>The single error of a deck with one bad line, which must be at <paramref name="line"/>.</summary>
    public static DeckLineError SingleError(int line, params string[] lines)
    {
        var error = Assert.Single(Errors(lines));
        Assert.Equal(line, error.Line);
        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
        return error;
    }
}
