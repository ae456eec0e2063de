using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Accounts;

/// <summary>
/// A pre-paid account may not open owing. The PUT endpoint checked that itself, beside the account service's own rule,
/// with other words ("initialBalance must not be negative" there, "... on a pre-paid account" here): which one a caller got
/// depended on the door it came through. The service's rule is the one rule, in the API's words.
/// </summary>
public sealed class InitialBalanceRuleTests
{
    [Fact]
    public async Task A_pre_paid_account_opening_owing_is_refused_in_the_words_of_the_api()
    {
        var h = CreditControlHarness.InMemory();

        var refused = await h.Admin.UpsertAsync("owes", Fixtures.Prepaid(), -1m, default);

        Assert.Equal("initialBalance must not be negative", refused.Error!.Detail);
        Assert.Equal(["initialBalance must not be negative"], refused.Error.Errors);
        Assert.Null(await h.Accounts.GetAsync("owes", default));
    }

}
