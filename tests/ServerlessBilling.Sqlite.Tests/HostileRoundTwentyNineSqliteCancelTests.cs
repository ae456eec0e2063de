using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>
/// Round twenty-nine of the hostile review, on SQLite: a CDR batch whose caller goes away (the HTTP client's timeout, a
/// host shutting down) after one account's money moved and while another's write is under way. The usage records of the
/// money that moved were written with the caller's cancelled token, so they never were: the account was charged for calls
/// the usage listing did not show, and their ids stayed in its document as applied without a record (each later write
/// looking them up again) until the batch happened to be delivered again. They are written however the caller left.
/// </summary>
public sealed class HostileRoundTwentyNineSqliteCancelTests
{
    private const string Called = "+33612345678"; // France: 0.15/min, 1/1

    [Fact]
    public async Task A_batch_whose_caller_leaves_after_an_accounts_money_moved_still_records_that_usage()
    {
        using var temp = new TempStore();
        var held = new HeldAccountStore(temp.Stores.Accounts, "r29-held");
        var h = new CreditControlHarness(held, temp.Stores.Sessions, temp.Stores.Decks, usage: temp.Stores.Usage, quarantine: temp.Stores.Quarantine, topUps: temp.Stores.TopUps);
        await h.OpenAsync("r29-moved", Fixtures.Postpaid(1_000m, hard: false), 0m);
        await h.OpenAsync("r29-held", Fixtures.Postpaid(1_000m, hard: false), 0m);
        held.Hold();
        var csv = $"""
            {Fixtures.CdrHeader}
            c-1,r29-moved,+441234,{Called},{Fixtures.Now:O},60,ANSWERED,
            c-2,r29-held,+441234,{Called},{Fixtures.Now:O},120,ANSWERED,
            """;

        using var caller = new CancellationTokenSource();
        var batch = h.Ingestion.IngestAsync(Core.Cdrs.CdrCsvReader.Read(csv).ToList(), "test", caller.Token);
        await held.Reached.WaitAsync(TimeSpan.FromSeconds(10));
        await WaitUntilAsync(async () => (await h.StateAsync("r29-moved")).PeriodSpend == 0.15m);
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batch);
        held.Release();

        // The money of r29-moved moved: its usage record follows, though no one waits for the batch any more.
        await WaitUntilAsync(async () => (await h.Usage.FindExistingAsync("r29-moved", ["c-1"], default)).ContainsKey("c-1"));
        Assert.Equal(0.15m, (await h.Usage.FindExistingAsync("r29-moved", ["c-1"], default))["c-1"].Charge);

        // The batch delivered again completes it, each CDR charged once.
        var again = await h.IngestCsvAsync(csv);
        Assert.Equal(2, again.Accepted + again.Duplicates);
        Assert.Equal((0.15m, 0.30m), ((await h.StateAsync("r29-moved")).PeriodSpend, (await h.StateAsync("r29-held")).PeriodSpend));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("the condition did not come about within 5 s");
    }

    /// <summary>An account store whose writes of one account wait, while held, until released (a slow partition).</summary>
    private sealed class HeldAccountStore(IAccountStore inner, string accountId) : IAccountStore
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource? _release;

        public Task Reached => _reached.Task;

        public void Hold() => _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release?.TrySetResult();

        public Task<Versioned<AccountState>?> GetAsync(string id, CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

        public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken) => inner.TryCreateAsync(account, cancellationToken);

        public async Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken)
        {
            if (account.AccountId == accountId && _release is { } release)
            {
                _reached.TrySetResult();
                await release.Task;
            }

            return await inner.TryReplaceAsync(account, ifMatch, cancellationToken);
        }

        public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) => inner.FindExpiringAsync(instant, cancellationToken);
    }
}
