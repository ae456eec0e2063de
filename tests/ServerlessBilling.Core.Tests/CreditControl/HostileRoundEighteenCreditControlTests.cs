using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Money;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>
/// Round eighteen of the hostile review, on credit control over time: an account's currency while a call is open, and
/// the session history when two instances write the same call's closing at once.
/// </summary>
public sealed class HostileRoundEighteenCreditControlTests
{
    private const string London = "+442071234567"; // 0.60/min 30/6 with a 0.05 connect fee

    [Fact]
    public async Task The_currency_cannot_change_while_a_call_authorized_with_nothing_reserved_is_open()
    {
        // A post-paid account, a call authorized for 0 seconds (a switch that reports use only): no money is held, so the
        // currency could change to USD, and the terminate then charged the GBP-priced call as 1.25 USD.
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        var settings = Fixtures.Postpaid(1_000m, hard: false);
        await h.OpenAsync("currency", settings, 0m);
        Assert.Equal("GBP", (await h.AuthorizeAsync("currency", "currency-1", London, seconds: 0)).Answer!.Currency);

        var changed = await h.Admin.UpsertAsync("currency", settings with { Currency = new Currency("USD") }, 0m, default);

        Assert.Equal(OutcomeErrorKind.Conflict, changed.Error?.Kind);
        Assert.Contains("currency-1", changed.Error!.Detail, StringComparison.Ordinal);
        var charged = (await h.TerminateAsync("currency-1", 1, 120)).Answer!;
        Assert.Equal((1.25m, "GBP"), (charged.Charge, charged.Currency));
        Assert.Equal("GBP", (await h.StateAsync("currency")).Settings.Currency.Code);
    }

    [Fact]
    public async Task A_currency_change_is_taken_once_the_open_call_is_charged_and_nothing_is_held()
    {
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        var settings = Fixtures.Postpaid(1_000m, hard: false);
        await h.OpenAsync("currency-later", settings, 0m);
        await h.AuthorizeAsync("currency-later", "currency-later-1", London, seconds: 0);
        Assert.Equal(0m, (await h.TerminateAsync("currency-later-1", 1, 0)).Answer!.Charge);

        var changed = await h.Admin.UpsertAsync("currency-later", settings with { Currency = new Currency("USD") }, 0m, default);

        Assert.Null(changed.Error);
        Assert.Equal("USD", (await h.StateAsync("currency-later")).Settings.Currency.Code);
    }

    [Fact]
    public async Task A_cdr_that_loses_its_write_to_the_terminate_of_another_instance_leaves_the_terminate_in_the_history()
    {
        // Two instances: the terminate (30 s, 0.35) decides and records its closing, the CDR (300 s) decides and records its
        // own, the terminate's write lands, the CDR's conflicts and settles by the session. The history kept the CDR's
        // closing, so once the document let the session go, the replayed terminate answered 3.05 and a balance of 96.95.
        var (h, store) = TwoInstances();
        await h.OpenAsync("x", Fixtures.Prepaid(), 100m);
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("x", "x-1", London, seconds: 600)).Answer!.ResultCode);

        store.Armed = true;
        var terminate = h.TerminateAsync("x-1", 1, 30);
        await store.FirstCalled;
        var cdr = h.IngestCsvAsync($"{Fixtures.CdrHeader}\nx-1-cdr,x,+441234,{London},{Fixtures.Now:O},300,ANSWERED,x-1\n");
        var answered = (await terminate).Answer!;
        Assert.Equal(1, (await cdr).Accepted);
        store.Armed = false;
        Assert.Equal((0.35m, 99.65m), (answered.Charge, answered.Balance));

        await PushOutAsync(h, "x", "x-2");
        var replay = (await h.TerminateAsync("x-1", 1, 30)).Answer!;

        Assert.Equal((answered.Charge, answered.Balance, answered.TotalSeconds), (replay.Charge, replay.Balance, replay.TotalSeconds));
        Assert.Equal(100m - 0.35m - 0.35m, (await h.StateAsync("x")).Balance);
    }

    [Fact]
    public async Task A_terminate_that_loses_its_write_to_the_cdr_of_another_instance_leaves_the_cdr_in_the_history()
    {
        var (h, store) = TwoInstances();
        await h.OpenAsync("y", Fixtures.Prepaid(), 100m);
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("y", "y-1", London, seconds: 600)).Answer!.ResultCode);

        store.Armed = true;
        var cdr = h.IngestCsvAsync($"{Fixtures.CdrHeader}\ny-1-cdr,y,+441234,{London},{Fixtures.Now:O},300,ANSWERED,y-1\n");
        await store.FirstCalled;
        var terminate = h.TerminateAsync("y-1", 1, 30);
        Assert.Equal(1, (await cdr).Accepted);
        var answered = (await terminate).Answer!;
        store.Armed = false;
        Assert.Equal((3.05m, 96.95m, 300), (answered.Charge, answered.Balance, answered.TotalSeconds)); // the CDR's closing

        await PushOutAsync(h, "y", "y-2");
        var replay = (await h.TerminateAsync("y-1", 1, 30)).Answer!;

        Assert.Equal((3.05m, 96.95m, 300), (replay.Charge, replay.Balance, replay.TotalSeconds));
    }

    [Fact]
    public async Task A_sweep_that_loses_its_write_to_a_late_cdr_does_not_leave_the_call_uncharged_in_the_history()
    {
        // A lapsed session, past the closed-session retention: the sweep decides to drop it and records it as never
        // charged; the call's CDR, days late, closes it on another instance and its write lands first. The history said
        // "expired, not charged": the replayed terminate was 409, and a second CDR of the call would be charged again.
        var (h, store) = TwoInstances();
        await h.OpenAsync("z", Fixtures.Prepaid(), 100m);
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("z", "z-1", London, seconds: 60)).Answer!.ResultCode);
        h.Clock.Advance(TimeSpan.FromMinutes(30));
        await h.CreditControl.ReleaseExpiredAsync(default); // lapsed: the reservation is released, the session kept
        h.Clock.Advance(h.Options.ClosedSessionRetention + TimeSpan.FromHours(1));

        store.Armed = true;
        var cdr = h.IngestCsvAsync($"{Fixtures.CdrHeader}\nz-1-cdr,z,+441234,{London},{Fixtures.Now:O},300,ANSWERED,z-1\n");
        await store.FirstCalled;
        var sweep = h.CreditControl.ReleaseExpiredAsync(default);
        Assert.Equal(1, (await cdr).Accepted);
        await sweep;
        store.Armed = false;
        Assert.Equal(100m - 3.05m, (await h.StateAsync("z")).Balance);

        await PushOutAsync(h, "z", "z-2");
        var replay = await h.TerminateAsync("z-1", 1, 300);
        Assert.Equal(3.05m, replay.Answer?.Charge);

        var again = await h.IngestCsvAsync($"{Fixtures.CdrHeader}\nz-1-cdr-again,z,+441234,{London},{Fixtures.Now:O},300,ANSWERED,z-1\n");
        Assert.Equal(1, again.Accepted); // recorded as settled by the session, not charged
        Assert.Equal(100m - 3.05m - 0.35m, (await h.StateAsync("z")).Balance);
    }

    /// <summary>Credit control on one store as two instances see it: writers not queued in process, and the writes of two steps crossed.</summary>
    private static (CreditControlHarness Harness, CrossedWritesStore Store) TwoInstances()
    {
        var store = new CrossedWritesStore(new InMemoryAccountStore());
        var harness = new CreditControlHarness(
            store, new InMemorySessionIndex(), new InMemoryRateDeckStore(), new CreditControlOptions { ClosedSessionsKept = 1 },
            writes: new AccountWriteOptions { SerializeWritersInProcess = false });
        return (harness, store);
    }

    /// <summary>Closes another call (10 s of London, 0.35), so that the document, keeping one closed session, lets the earlier go.</summary>
    private static async Task PushOutAsync(CreditControlHarness h, string accountId, string sessionId)
    {
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync(accountId, sessionId, London, seconds: 60)).Answer!.ResultCode);
        Assert.Equal(0.35m, (await h.TerminateAsync(sessionId, 1, 10)).Answer!.Charge);
        Assert.Single((await h.StateAsync(accountId)).Sessions);
    }

    /// <summary>
    /// Crosses the writes of two steps as two instances would: the first replace waits until a second is made (by then the
    /// second step has decided, and recorded what it records before its write), and the second waits until the first has landed.
    /// </summary>
    private sealed class CrossedWritesStore(IAccountStore inner) : IAccountStore
    {
        private readonly TaskCompletionSource _firstCalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _secondCalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _firstLanded = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _replaces;

        public bool Armed { get; set; }

        public Task FirstCalled => _firstCalled.Task;

        public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) => inner.GetAsync(accountId, cancellationToken);

        public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken) => inner.TryCreateAsync(account, cancellationToken);

        public async Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken)
        {
            switch (Armed ? Interlocked.Increment(ref _replaces) : 0)
            {
                case 1:
                    _firstCalled.TrySetResult();
                    await _secondCalled.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
                    try
                    {
                        return await inner.TryReplaceAsync(account, ifMatch, cancellationToken);
                    }
                    finally
                    {
                        _firstLanded.TrySetResult();
                    }

                case 2:
                    _secondCalled.TrySetResult();
                    await _firstLanded.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
                    return await inner.TryReplaceAsync(account, ifMatch, cancellationToken);

                default:
                    return await inner.TryReplaceAsync(account, ifMatch, cancellationToken);
            }
        }

        public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) => inner.FindExpiringAsync(instant, cancellationToken);
    }
}
