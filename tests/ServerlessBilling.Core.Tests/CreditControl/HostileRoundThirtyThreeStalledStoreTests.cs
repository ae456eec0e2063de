using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>
/// Round thirty-three: a store that credit control does not use, stalled. A CDR step reads the usage store and the
/// session index for the document version it writes, so it reads them holding its account's place in this process's
/// queue of writers. A usage store that stalled there (a Cosmos DB container throttled by the very burst of CDRs being
/// ingested, its SDK retrying for seconds) held up every authorize, interim and terminate of that account behind it
/// until their deadline: 503s for the busiest accounts' calls, for as long as the batch's deadline, 60 s. A writer now
/// queues only so long (<see cref="Core.Accounts.AccountUpdater.MaxQueueWait"/>) and then goes ahead on the ETag alone,
/// as writers in other processes always do; the stalled step, once it answers, finds the document changed and decides again.
/// </summary>
public sealed class HostileRoundThirtyThreeStalledStoreTests
{
    [Fact]
    public async Task A_cdr_batch_stalled_on_the_usage_store_holds_up_no_authorize_of_its_account_and_both_are_charged_once()
    {
        var freezing = new FreezingStores();
        var harness = new CreditControlHarness(
            new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), usage: freezing.Wrap<IUsageStore>(new InMemoryUsageStore()));
        var account = await harness.OpenAsync("r33-stalled", Fixtures.Prepaid("r33-deck"), 50m);

        freezing.Freeze();
        var batch = harness.IngestCsvAsync($"""
            cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition
            r33-c1,{account},+441234,+447700900123,2026-11-26T09:00:00Z,60,ANSWERED
            """);
        await freezing.Stalled.WaitAsync(TimeSpan.FromSeconds(10));

        // The fake clock stands still: the authorize's own deadline never passes, so only its own progress can answer it.
        var authorize = harness.AuthorizeAsync(account, "r33-call", "+447700900123", 60);
        var first = await Task.WhenAny(authorize, Task.Delay(TimeSpan.FromSeconds(10)));

        Assert.True(ReferenceEquals(first, authorize), "the authorize waited on the CDR batch stalled on the usage store");
        Assert.Equal(ResultCode.Success, (await authorize).Answer!.ResultCode);

        freezing.Thaw();
        var ingested = await batch;
        Assert.Equal(1, ingested.Accepted);
        var state = await harness.StateAsync(account);
        Fixtures.AssertConserved(state);
        Assert.Equal(49m, state.Balance); // the CDR's 60 s at 1.00/min, once
        Assert.Equal(1m, state.Reserved); // the authorize's 60 s grant
    }
}
