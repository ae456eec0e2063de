using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

public sealed class IngestionRulesTests
{
    private static Cdr Call(string id) =>
        new(id, "acme", "+441", "+447700900123", Fixtures.Now, 60, Disposition.Answered, null);

    [Theory]
    [InlineData(3)]    // few CDRs against a full set: looked up in place
    [InlineData(200)]  // many: hashed once
    public void A_cdr_in_the_documents_applied_set_is_a_duplicate_whatever_the_batch_size(int batchSize)
    {
        var account = AccountState.Open("acme", Fixtures.Postpaid(1000m, hard: false), 0m, Fixtures.Now);
        for (var i = 0; i < AccountState.AppliedCdrCapacity; i++)
        {
            account = account.RememberApplied($"old-{i}");
        }

        var cdrs = Enumerable.Range(0, batchSize).Select(i => (Call(i == 0 ? "old-500" : $"new-{i}"), i + 2)).ToList();
        var decision = IngestionRules.Apply(account, Fixtures.Deck(), cdrs, Fixtures.Now);

        var outcomes = decision.Answer!;
        Assert.True(outcomes[0].IsDuplicate);
        Assert.All(outcomes.Skip(1), o => Assert.NotNull(o.Applied));
        Assert.Equal(batchSize - 1, decision.Next!.Totals.Values.Single().Total.Calls);
        Assert.Equal(AccountState.AppliedCdrCapacity, decision.Next.AppliedCount);
    }
}
