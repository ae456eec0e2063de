using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Tests.Rating;

/// <summary>Round fifteen of the hostile review: what a rate deck may name a destination.</summary>
public sealed class HostileRoundFifteenCoreTests
{
    [Theory]
    [InlineData("Ctl\u0000Nul", "holds a control character")]
    [InlineData("Bell\u0007", "holds a control character")]
    [InlineData("Tab\tbed", "holds a control character")]
    [InlineData("Del\u007F", "holds a control character")]
    [InlineData("R\uFFFDunion", "is not valid UTF-8 (save the deck as UTF-8)")]
    public void A_destination_that_would_print_mangled_refuses_the_deck_naming_its_line(string destination, string reason)
    {
        var import = RateDeckParser.Parse("d", $"{Decks.Header}\n44,United Kingdom,0.01,0,60,60,,\n33,{destination},0.02,0,60,60,,\n");

        Assert.False(import.Succeeded);
        var error = Assert.Single(import.Errors);
        Assert.Equal(3, error.Line);
        Assert.EndsWith(reason, error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Réunion")]
    [InlineData("Россия Mobile 😀")]
    [InlineData("\u05E2\u05D1\u05E8\u05D9\u05EA & <b>")]
    public void Printable_destinations_of_any_script_are_taken_as_they_are(string destination)
    {
        var import = RateDeckParser.Parse("d", $"{Decks.Header}\n44,{destination},0.01,0,60,60,,\n");

        Assert.Equal(destination, Assert.Single(import.Deck!.Rows).Destination);
    }
}
