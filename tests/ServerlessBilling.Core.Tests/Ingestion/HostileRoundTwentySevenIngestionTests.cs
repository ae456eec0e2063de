using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// Round twenty-seven of the hostile review: a fault between a CDR's closing record and its account write. A CDR that
/// closes a session the account document no longer holds (it lapsed and the sweep dropped it into the session history)
/// records the closing ("closed by this CDR", with its charge) before the write that charges it. When that write failed
/// (a store fault, the batch deadline, or another instance's write on the ETag), the record stayed: the redelivered CDR
/// (or the rule run again after the conflict) found the session "closed by this very CDR, its usage record lost", wrote
/// the usage record with the charge, and charged nothing. The call was never charged. The record the closing replaced is
/// put back when its write does not land.
/// </summary>
public sealed class HostileRoundTwentySevenIngestionTests
{
    private const string Called = "+33612345678"; // France: 0.15/min, 1/1

    private static readonly CreditControlOptions Options = new() { ClosedSessionRetention = TimeSpan.FromMinutes(30) };

    /// <summary>An account whose session s-1 (60 s granted, never terminated) lapsed and was dropped into the history.</summary>
    private static async Task<CreditControlHarness> DroppedSessionAsync(IAccountStore accounts)
    {
        var h = new CreditControlHarness(accounts, new InMemorySessionIndex(), new InMemoryRateDeckStore(), Options);
        await h.OpenAsync("r27-cdr", Fixtures.Prepaid(), 10m);
        Assert.Equal(ResultCode.Success, (await h.AuthorizeAsync("r27-cdr", "s-1", Called, 60)).Answer!.ResultCode);
        h.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await h.CreditControl.ReleaseExpiredAsync(default)); // lapsed
        h.Clock.Advance(TimeSpan.FromHours(1));
        await h.CreditControl.ReleaseExpiredAsync(default); // dropped, past the retention
        Assert.DoesNotContain("s-1", (await h.StateAsync("r27-cdr")).Sessions.Keys);
        return h;
    }

    private static string Cdr(string id) => $"""
        {Fixtures.CdrHeader}
        {id},r27-cdr,+441234,{Called},{Fixtures.Now:O},120,ANSWERED,s-1
        """;

    [Fact]
    public async Task A_cdr_whose_write_failed_after_it_recorded_the_closing_of_a_dropped_session_is_charged_when_redelivered()
    {
        var accounts = new FailingAccountStore(new InMemoryAccountStore());
        var h = await DroppedSessionAsync(accounts);

        accounts.Fail("r27-cdr", once: true);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => h.IngestCsvAsync(Cdr("c-1")));
        Assert.Equal(10m, (await h.StateAsync("r27-cdr")).Balance); // nothing moved

        var redelivered = await h.IngestCsvAsync(Cdr("c-1"));

        Assert.Equal((1, 0), (redelivered.Accepted, redelivered.Duplicates));
        var state = await h.StateAsync("r27-cdr");
        Fixtures.AssertConserved(state);
        Assert.Equal((10m - 0.30m, 0.30m), (state.Balance, state.PeriodSpend)); // 120 s at 0.15/min, once
        Assert.Equal(0.30m, (await h.Usage.FindExistingAsync("r27-cdr", ["c-1"], default))["c-1"].Charge);
        Assert.Equal(0, (await h.IngestCsvAsync(Cdr("c-1"))).Accepted); // and once only
        Assert.Equal(10m - 0.30m, (await h.StateAsync("r27-cdr")).Balance);
    }

    [Fact]
    public async Task A_cdr_whose_write_lost_on_the_etag_to_another_write_charges_the_dropped_session_when_its_rule_runs_again()
    {
        var accounts = new ConflictOnceStore(new InMemoryAccountStore());
        var h = await DroppedSessionAsync(accounts);

        accounts.ConflictNext("r27-cdr");
        var result = await h.IngestCsvAsync(Cdr("c-1"));

        Assert.Equal(1, result.Accepted);
        var state = await h.StateAsync("r27-cdr");
        Fixtures.AssertConserved(state);
        Assert.Equal((10m - 0.30m, 0.30m), (state.Balance, state.PeriodSpend));
        Assert.Equal("c-1", state.Sessions["s-1"].ClosedByCdr);
    }

    /// <summary>The next replace of one account is refused as a changed ETag is: another write of it (another instance's) landed first.</summary>
    private sealed class ConflictOnceStore(InMemoryAccountStore inner) : IAccountStore
    {
        private string? _account;

        public void ConflictNext(string accountId) => _account = accountId;

        public Task<Versioned<Core.Accounts.AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) => inner.GetAsync(accountId, cancellationToken);

        public Task<string?> TryCreateAsync(Core.Accounts.AccountState account, CancellationToken cancellationToken) => inner.TryCreateAsync(account, cancellationToken);

        public async Task<string?> TryReplaceAsync(Core.Accounts.AccountState account, string ifMatch, CancellationToken cancellationToken)
        {
            if (account.AccountId == _account)
            {
                _account = null;
                var current = (await inner.GetAsync(account.AccountId, cancellationToken))!;
                Assert.NotNull(await inner.TryReplaceAsync(current.Value, current.ETag, cancellationToken)); // a new ETag
                return null;
            }

            return await inner.TryReplaceAsync(account, ifMatch, cancellationToken);
        }

        public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) => inner.FindExpiringAsync(instant, cancellationToken);
    }
}
