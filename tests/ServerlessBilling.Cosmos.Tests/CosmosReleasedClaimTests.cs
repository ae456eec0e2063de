using ServerlessBilling.Core;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Cosmos.Tests;

/// <summary>
/// Each process (Functions instance) remembers which account a session id belongs to. A claim made in the name of an
/// account that does not exist is let go in the container, but a process that remembered it before then still
/// names that account: its interim and terminate must find the call's real account all the same.
/// </summary>
[Collection(CosmosCollection.Name)]
public sealed class CosmosReleasedClaimTests(CosmosFixture cosmos)
{
    [Fact]
    public async Task A_process_that_remembered_a_claim_since_let_go_finds_the_real_account()
    {
        var container = cosmos.Database.GetContainer(cosmos.Options.SessionsContainer);
        var here = new CreditControlHarness(cosmos.Accounts, new CosmosSessionIndex(container, TimeProvider.System), cosmos.Decks);
        var thereIndex = new CosmosSessionIndex(container, TimeProvider.System);
        var there = new CreditControlHarness(cosmos.Accounts, thereIndex, cosmos.Decks);
        var account = await here.OpenAsync($"real-{Guid.NewGuid():N}", Fixtures.Prepaid($"deck-{Guid.NewGuid():N}"), 10m);
        var nobody = $"nobody-{Guid.NewGuid():N}";
        var session = $"call-{Guid.NewGuid():N}";

        // "there" claims the id for the unknown account and remembers it (an authorize between its claim and its release);
        // "here" meets the claim with the same unknown account and lets it go.
        Assert.True((await thereIndex.ClaimAsync(session, nobody, default)).IsNew);
        Assert.Equal(ResultCode.AccountNotFound, (await here.AuthorizeAsync(nobody, session, "+447700900123", 60)).Answer!.ResultCode);
        var grant = (await here.AuthorizeAsync(account, session, "+447700900123", 60)).Answer!;
        Assert.Equal(ResultCode.Success, grant.ResultCode);

        Assert.Equal(60, (await there.InterimAsync(session, 1, 60, 60)).Answer!.GrantedSeconds);
        var end = (await there.TerminateAsync(session, 2, 30)).Answer!;
        Assert.Equal(2.00m, end.Charge); // 90 s at 1.00 per 60/60 minute
        Assert.Equal(end, (await here.TerminateAsync(session, 2, 30)).Answer);
        Assert.Equal(grant, (await there.AuthorizeAsync(account, session, "+447700900123", 60)).Answer);
        var state = await here.StateAsync(account);
        Assert.Equal((8.00m, 0m, 0), (state.Balance, state.Reserved, state.ActiveSessions));
    }
}
