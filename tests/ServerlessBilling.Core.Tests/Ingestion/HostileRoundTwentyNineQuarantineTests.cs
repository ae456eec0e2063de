using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// Round twenty-nine of the hostile review: a CDR sent twice in one batch (a switch's retransmission inside one file or
/// Event Hubs delivery) that cannot be applied. Only the first copy was quarantined; the others were counted as
/// duplicates ("applied before with the same content", docs/api.md) though nothing was applied, and were missing from
/// the quarantine, which is to hold every line that could not be applied, identical ones each with its own line. Each copy
/// shares its first copy's fate: applied (or found applied), a duplicate; quarantined, quarantined too, with its own line.
/// </summary>
public sealed class HostileRoundTwentyNineQuarantineTests
{
    private const string Called = "+33612345678";

    [Theory]
    [InlineData("r29-nobody", Called, "account 'r29-nobody' does not exist")]
    [InlineData("r29-q", "+999123", "destination not rated")]
    public async Task Copies_in_one_batch_of_a_cdr_that_cannot_be_applied_are_each_quarantined_not_counted_as_duplicates(string account, string called, string reason)
    {
        var h = CreditControlHarness.InMemory();
        await h.OpenAsync("r29-q", Fixtures.Postpaid(1_000m, hard: false), 0m);
        var line = $"q-1,{account},+441234,{called},2026-11-26T09:00:00Z,60,ANSWERED,\n";
        var batch = Fixtures.CdrHeader + "\n" + line + line + line;

        var first = await h.IngestCsvAsync(batch);
        var again = await h.IngestCsvAsync(batch);

        foreach (var result in new[] { first, again })
        {
            Assert.Equal((3, 0, 0), (result.Received, result.Accepted, result.Duplicates));
            Assert.Equal([2, 3, 4], result.Quarantined.Select(q => q.Line));
            Assert.All(result.Quarantined, q => Assert.StartsWith(reason, q.Reason, StringComparison.Ordinal));
        }

        var kept = await h.Quarantine.ListAsync(null, 100, default);
        Assert.Equal([2, 3, 4], kept.Select(q => q.Line).Order());
    }

    [Fact]
    public async Task Copies_in_one_batch_of_a_cdr_applied_before_with_other_content_are_each_conflicts()
    {
        var h = CreditControlHarness.InMemory();
        await h.OpenAsync("r29-q", Fixtures.Postpaid(1_000m, hard: false), 0m);
        await h.IngestCsvAsync($"{Fixtures.CdrHeader}\nq-1,r29-q,+441234,{Called},2026-11-26T09:00:00Z,60,ANSWERED,\n");
        var changed = $"q-1,r29-q,+441234,{Called},2026-11-26T09:00:00Z,90,ANSWERED,\n";

        var result = await h.IngestCsvAsync(Fixtures.CdrHeader + "\n" + changed + changed);

        Assert.Equal((2, 0, 0), (result.Received, result.Accepted, result.Duplicates));
        Assert.All(result.Quarantined, q => Assert.StartsWith("conflict:", q.Reason, StringComparison.Ordinal));
        Assert.Equal(2, result.Quarantined.Count);
        Assert.Equal(0.15m, (await h.StateAsync("r29-q")).PeriodSpend); // the first 60 s, once
    }

    [Fact]
    public async Task Copies_in_one_batch_of_a_cdr_that_is_applied_are_duplicates()
    {
        var h = CreditControlHarness.InMemory();
        await h.OpenAsync("r29-q", Fixtures.Postpaid(1_000m, hard: false), 0m);
        var line = $"q-1,r29-q,+441234,{Called},2026-11-26T09:00:00Z,60,ANSWERED,\n";
        var other = $"q-1,r29-q,+449999,{Called},2026-11-26T09:00:00Z,60,ANSWERED,\n"; // another calling number: the same call

        var result = await h.IngestCsvAsync(Fixtures.CdrHeader + "\n" + line + other + line);

        Assert.Equal((3, 1, 2, 0), (result.Received, result.Accepted, result.Duplicates, result.Quarantined.Count));
        Assert.Equal(0.15m, (await h.StateAsync("r29-q")).PeriodSpend);
    }
}
