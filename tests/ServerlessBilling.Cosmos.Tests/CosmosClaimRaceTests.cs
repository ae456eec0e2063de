using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos.Tests;

/// <summary>
/// A claim that meets another account's claim (409) reads that claim to learn its owner. When the other claim was let go
/// in between (its account does not exist: <see cref="SessionClaims"/>), the read found nothing, and the index answered
/// the session as this account's, not new, although nothing was stored: another process (or account) could then claim
/// the id as its own, and this process's interim and terminate found the session in no other.
/// </summary>
[Collection(CosmosCollection.Name)]
public sealed class CosmosClaimRaceTests(CosmosFixture cosmos)
{
    [Fact]
    public async Task A_claim_that_meets_a_claim_let_go_meanwhile_is_stored_or_names_the_other_owner()
    {
        var container = cosmos.Database.GetContainer(cosmos.Options.SessionsContainer);
        var real = $"real-{Guid.NewGuid():N}";
        var nobody = $"nobody-{Guid.NewGuid():N}";
        var unstored = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            var session = $"race-{Guid.NewGuid():N}";
            var there = new CosmosSessionIndex(container, TimeProvider.System);
            var here = new CosmosSessionIndex(container, TimeProvider.System);
            Assert.True((await there.ClaimAsync(session, nobody, default)).IsNew);

            var claim = here.ClaimAsync(session, real, default);
            var release = there.ReleaseAsync(session, nobody, default);
            await Task.WhenAll(claim, release);

            if ((await claim).AccountId == real && await new CosmosSessionIndex(container, TimeProvider.System).FindAccountAsync(session, default) != real)
            {
                unstored.Add(session);
            }
        }

        Assert.Empty(unstored);
    }
}
