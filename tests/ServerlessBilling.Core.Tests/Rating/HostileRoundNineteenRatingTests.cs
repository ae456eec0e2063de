using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Tests.Rating;

/// <summary>Round nineteen of the hostile review: how long a destination name may be.</summary>
public sealed class HostileRoundNineteenRatingTests
{
    [Fact]
    public void A_destination_longer_than_the_bound_refuses_the_deck_naming_its_line()
    {
        // A deck row named its destination with 20 MB of text and was taken: every call to it then stored those 20 MB
        // again in its usage record and the account's totals (on Cosmos DB, past the 2 MB an item may hold).
        var longest = new string('é', 200);

        var taken = RateDeckParser.Parse("d", $"{Decks.Header}\n44,{longest},0.01,0,60,60,,\n");
        var refused = RateDeckParser.Parse("d", $"{Decks.Header}\n44,United Kingdom,0.01,0,60,60,,\n33,{longest}x,0.02,0,60,60,,\n");

        Assert.Equal(longest, Assert.Single(taken.Deck!.Rows).Destination);
        Assert.False(refused.Succeeded);
        var error = Assert.Single(refused.Errors);
        Assert.Equal(3, error.Line);
        Assert.EndsWith($"is longer than 200 characters", error.Reason, StringComparison.Ordinal);
    }
}
