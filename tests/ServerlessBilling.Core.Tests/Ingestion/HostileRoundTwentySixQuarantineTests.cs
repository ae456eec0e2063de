using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// Round twenty-six of the hostile review: identical bad lines of one batch (an Event Hubs event, a CSV body) were one
/// quarantine record while the answer counted each, so received = accepted + duplicates + quarantined held in the answer
/// only. Each is kept, with its line, and the batch delivered again adds none.
/// </summary>
public sealed class HostileRoundTwentySixQuarantineTests
{
    private const string Called = "+33612345678";

    [Fact]
    public async Task Identical_bad_lines_of_one_batch_are_each_kept_in_the_quarantine_and_a_redelivery_adds_none()
    {
        var h = CreditControlHarness.InMemory();
        const string account = "r26-quarantine";
        await h.OpenAsync(account, Fixtures.Postpaid(1_000m, hard: false), 0m);
        var bad = $"q-1,{account},+441234,{Called},2026-11-26T09:00:00Z,-5,ANSWERED,\n";
        var batch = Fixtures.CdrHeader + "\n" + bad + bad + bad;

        var result = await h.IngestCsvAsync(batch);
        await h.IngestCsvAsync(batch);

        Assert.Equal(result.Received, result.Accepted + result.Duplicates + result.Quarantined.Count);
        Assert.Equal(3, result.Quarantined.Count);
        var kept = await h.Quarantine.ListAsync(null, 100, default);
        Assert.Equal([2, 3, 4], kept.Select(q => q.Line).Order());
    }
}
