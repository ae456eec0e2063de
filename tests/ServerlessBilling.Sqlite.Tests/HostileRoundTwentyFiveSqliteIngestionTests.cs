using System.Text;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>
/// Round twenty-five of the hostile review, on SQLite: a batch whose one account cannot be written is applied for every
/// other account and then fails; its redeliveries (the failing account back, then once more as after a lost checkpoint)
/// count each CDR once, keep the charge of a session's interims when its CDR says less, and quarantine a CDR id sent for
/// a second account the same way each time.
/// </summary>
public sealed class HostileRoundTwentyFiveSqliteIngestionTests
{
    [Fact]
    public async Task A_batch_failed_at_one_account_is_charged_once_over_its_redeliveries_on_sqlite()
    {
        using var temp = new TempStore();
        var stores = temp.Stores;
        var failing = new FailingAccountStore(stores.Accounts);
        var h = new CreditControlHarness(failing, stores.Sessions, stores.Decks, new CreditControlOptions { ClosedSessionsKept = 100 }, stores.Usage, stores.Quarantine, stores.TopUps);
        await h.OpenAsync("r25-poisoned", Fixtures.Postpaid(1_000m, hard: true), 0m);
        for (var i = 0; i < 3; i++)
        {
            await h.OpenAsync($"r25-h-{i}", Fixtures.Postpaid(1_000m, hard: true), 0m);
        }

        Assert.Null((await h.AuthorizeAsync("r25-poisoned", "r25-s", called: "+441234567", seconds: 300)).Error);
        Assert.Null((await h.InterimAsync("r25-s", 1, 90)).Error);
        Assert.Equal(2.00m, (await h.StateAsync("r25-poisoned")).PeriodSpend);

        var batch = new StringBuilder(Fixtures.CdrHeader).Append('\n')
            .Append("c-1,r25-h-0,+441234,+441234567,2026-11-26T09:00:00Z,60,ANSWERED,\n")
            .Append("p-1,r25-poisoned,+441234,+441234567,2026-11-26T09:01:00Z,60,ANSWERED,r25-s\n");
        for (var i = 0; i < 3; i++)
        {
            batch.Append($"h-{i},r25-h-{i},+441234,+441234567,2026-11-26T09:{10 + i}:00Z,{60 * (i + 1)},ANSWERED,\n");
        }

        batch.Append("c-1,r25-poisoned,+441234,+441234567,2026-11-26T09:00:00Z,60,ANSWERED,\n");
        var csv = batch.ToString();

        failing.Fail("r25-poisoned");
        await Assert.ThrowsAsync<StoreUnavailableException>(() => h.IngestCsvAsync(csv));
        Assert.Equal(new[] { 2m, 2m, 3m }, await SpendAsync(h));
        Assert.Equal(2.00m, (await h.StateAsync("r25-poisoned")).PeriodSpend);

        failing.Fail(null);
        var second = await h.IngestCsvAsync(csv);
        Assert.Equal((6, 1, 4), (second.Received, second.Accepted, second.Duplicates));
        Assert.Equal("c-1", Assert.Single(second.Quarantined).CdrId);
        var third = await h.IngestCsvAsync(csv);
        Assert.Equal((6, 0, 5), (third.Received, third.Accepted, third.Duplicates));
        Assert.Equal(second.Quarantined, third.Quarantined);

        Assert.Equal(new[] { 2m, 2m, 3m }, await SpendAsync(h));
        var poisoned = await h.StateAsync("r25-poisoned");
        Assert.Equal(2.00m, poisoned.PeriodSpend);
        Assert.Equal(0, poisoned.ActiveSessions);
        var usage = await h.Usage.ListAsync("r25-poisoned", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default);
        Assert.Equal((120, 2.00m), (Assert.Single(usage).BilledSeconds, usage[0].Charge));
        Assert.Single(await h.Quarantine.ListAsync("r25-poisoned", 10, default));
        foreach (var account in new[] { "r25-h-0", "r25-h-1", "r25-h-2" })
        {
            var records = await h.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default);
            Assert.Equal(account == "r25-h-0" ? 2 : 1, records.Count);
        }
    }

    private static async Task<decimal[]> SpendAsync(CreditControlHarness h) =>
        [(await h.StateAsync("r25-h-0")).PeriodSpend, (await h.StateAsync("r25-h-1")).PeriodSpend, (await h.StateAsync("r25-h-2")).PeriodSpend];
}
