using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Testing;

/// <summary>What every <see cref="IAccountStore"/>, <see cref="ISessionIndex"/>, <see cref="IRateDeckStore"/> and <see cref="ITopUpStore"/> must do.</summary>
public abstract partial class StoreContract
{
    private IAccountStore Accounts => Stores.Accounts;

    private ISessionIndex Sessions => Stores.Sessions;

    private IRateDeckStore Decks => Stores.Decks;

    private ITopUpStore TopUps => Stores.TopUps;

    [Fact]
    public async Task Created_account_reads_back_with_an_etag()
    {
        var account = AccountState.Open(NewId("acc"), Fixtures.Prepaid(), 12.34m, Fixtures.Now);
        var etag = await Accounts.TryCreateAsync(account, default);
        Assert.NotNull(etag);

        var read = await Accounts.GetAsync(account.AccountId, default);
        Assert.NotNull(read);
        Assert.Equal(etag, read.ETag);
        Assert.Equal(12.34m, read.Value.Balance);
        Assert.Equal(account.Settings, read.Value.Settings);
        Assert.Equal(account.PeriodStart, read.Value.PeriodStart);
    }

    [Fact]
    public async Task Missing_account_reads_as_null()
    {
        Assert.Null(await Accounts.GetAsync(NewId("missing"), default));
        Assert.Null(await Accounts.PeekAsync(NewId("missing"), default));
    }

    [Fact]
    public async Task A_peek_reads_the_current_version_as_a_read_does()
    {
        var account = AccountState.Open(NewId("acc"), Fixtures.Prepaid(), 10m, Fixtures.Now);
        var first = (await Accounts.TryCreateAsync(account, default))!;
        var second = (await Accounts.TryReplaceAsync(account with { Balance = 9m, Committed = 1m }, first, default))!;

        var peeked = (await Accounts.PeekAsync(account.AccountId, default))!;
        var read = (await Accounts.GetAsync(account.AccountId, default))!;
        Assert.Equal(second, peeked.ETag);
        Assert.Equal(read.ETag, peeked.ETag);
        Assert.Equal(read.Value, peeked.Value);
        Assert.Equal(9m, peeked.Value.Balance);
    }

    [Fact]
    public async Task Creating_an_existing_account_is_refused()
    {
        var account = AccountState.Open(NewId("acc"), Fixtures.Prepaid(), 1m, Fixtures.Now);
        Assert.NotNull(await Accounts.TryCreateAsync(account, default));
        Assert.Null(await Accounts.TryCreateAsync(account with { Balance = 99m }, default));
        Assert.Equal(1m, (await Accounts.GetAsync(account.AccountId, default))!.Value.Balance);
    }

    [Fact]
    public async Task Replace_succeeds_with_the_current_etag_and_fails_with_a_stale_one()
    {
        var account = AccountState.Open(NewId("acc"), Fixtures.Prepaid(), 10m, Fixtures.Now);
        var first = (await Accounts.TryCreateAsync(account, default))!;

        var second = await Accounts.TryReplaceAsync(account with { Balance = 9m, Committed = 1m }, first, default);
        Assert.NotNull(second);
        Assert.NotEqual(first, second);

        Assert.Null(await Accounts.TryReplaceAsync(account with { Balance = 5m }, first, default));
        var read = (await Accounts.GetAsync(account.AccountId, default))!;
        Assert.Equal(9m, read.Value.Balance);
        Assert.Equal(second, read.ETag);
    }

    [Fact]
    public async Task Concurrent_replaces_from_one_version_let_exactly_one_win()
    {
        var account = AccountState.Open(NewId("acc"), Fixtures.Prepaid(), 0m, Fixtures.Now);
        var etag = (await Accounts.TryCreateAsync(account, default))!;

        var results = await Task.WhenAll(Enumerable.Range(1, 8).Select(i => Task.Run(() =>
            Accounts.TryReplaceAsync(account with { TopUps = i, Balance = i }, etag, default))));

        Assert.Single(results, r => r is not null);
    }

    [Fact]
    public async Task Optimistic_increments_under_contention_lose_no_update()
    {
        var account = AccountState.Open(NewId("acc"), Fixtures.Prepaid(), 0m, Fixtures.Now);
        await Accounts.TryCreateAsync(account, default);

        const int writers = 8, each = 10;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            for (var n = 0; n < each; n++)
            {
                while (true)
                {
                    var current = (await Accounts.GetAsync(account.AccountId, default))!;
                    var next = current.Value with { TopUps = current.Value.TopUps + 1m, Balance = current.Value.Balance + 1m };
                    if (await Accounts.TryReplaceAsync(next, current.ETag, default) is not null)
                    {
                        break;
                    }
                }
            }
        })));

        var final = (await Accounts.GetAsync(account.AccountId, default))!.Value;
        Assert.Equal(writers * each, final.Balance);
        Fixtures.AssertConserved(final);
    }

    [Fact]
    public async Task Accounts_with_expiring_reservations_are_found()
    {
        var soon = AccountState.Open(NewId("soon"), Fixtures.Prepaid(), 0m, Fixtures.Now) with { NextExpiry = Fixtures.Now.AddMinutes(1) };
        var later = AccountState.Open(NewId("later"), Fixtures.Prepaid(), 0m, Fixtures.Now) with { NextExpiry = Fixtures.Now.AddHours(1) };
        await Accounts.TryCreateAsync(soon, default);
        await Accounts.TryCreateAsync(later, default);

        var found = new List<string>();
        await foreach (var id in Accounts.FindExpiringAsync(Fixtures.Now.AddMinutes(5), default))
        {
            found.Add(id);
        }

        Assert.Contains(soon.AccountId, found);
        Assert.DoesNotContain(later.AccountId, found);
    }

    [Fact]
    public async Task Session_index_keeps_the_first_account()
    {
        var session = NewId("call");
        Assert.Equal(new SessionClaim("a", true), await Sessions.ClaimAsync(session, "a", default));
        Assert.Equal(new SessionClaim("a", false), await Sessions.ClaimAsync(session, "b", default));
        Assert.Equal(new SessionClaim("a", false), await Sessions.ClaimAsync(session, "a", default));
        Assert.Equal("a", await Sessions.FindAccountAsync(session, default));
        Assert.Null(await Sessions.FindAccountAsync(NewId("none"), default));
    }

    [Fact]
    public async Task Rate_deck_round_trips_with_every_row()
    {
        var deck = Fixtures.Deck(NewId("deck"));
        await Decks.PutAsync(deck, default);

        var read = await Decks.GetAsync(deck.DeckId, default);
        Assert.NotNull(read);
        Assert.Equal(deck.Rows.Select(r => (r.Prefix, r.Destination, r.Tariff, r.EffectiveFrom, r.EffectiveTo)),
                     read.Rows.Select(r => (r.Prefix, r.Destination, r.Tariff, r.EffectiveFrom, r.EffectiveTo)));
        Assert.Equal("4420", read.Find("+442071234567", Fixtures.Now)!.Prefix);
        Assert.Null(await Decks.GetAsync(NewId("missing"), default));
    }

    [Fact]
    public async Task Top_up_history_recognises_an_id_once_recorded()
    {
        var account = NewId("acc");
        var record = new TopUpRecord("t-1", account, 50m, "GBP", Fixtures.Now);
        Assert.Null(await TopUps.FindAsync(account, "t-1", default));
        Assert.True(await TopUps.TryCreateAsync(record, default));
        Assert.False(await TopUps.TryCreateAsync(record with { Amount = 99m }, default));
        Assert.Equal(record, await TopUps.FindAsync(account, "t-1", default));
        Assert.Null(await TopUps.FindAsync(NewId("other"), "t-1", default));
    }

    [Fact]
    public async Task Session_history_keeps_how_a_closed_session_was_charged()
    {
        var session = NewId("call");
        await Sessions.ClaimAsync(session, "acc", default);
        Assert.Null(await Sessions.FindClosedAsync(session, default));

        var tariff = new Tariff(0.24m, 0.01m, 30, 6);
        var grant = new GrantAnswer(session, ResultCode.Success, 300, 300, false, 1.21m, 0.24m, "GBP", 98.79m);
        var expired = new Session
        {
            SessionId = session, Fingerprint = "acc|+44|+336|", StartTime = Fixtures.Now, Prefix = "336", Destination = "France Mobile",
            Tariff = tariff, Status = SessionStatus.Expired, UsedSeconds = 60, ReportedSeconds = 60, CommittedCharge = 0.25m,
            LastRequestNumber = 1, ExpiresAt = Fixtures.Now.AddMinutes(15), ClosedAt = Fixtures.Now.AddMinutes(15), AuthorizeAnswer = grant,
        };
        await Sessions.RecordClosedAsync(new ClosedSession("acc", expired), default);
        var stored = await Sessions.FindClosedAsync(session, default);
        Assert.NotNull(stored);
        Assert.Null(stored.Answer);
        Assert.Equal(grant, stored.Session.AuthorizeAnswer);

        // A later record of the same session (its CDR closed it) replaces the earlier one; writing it twice changes nothing.
        var answer = new TerminateAnswer(session, ResultCode.Success, 342, 342, 1.378m, "GBP", 98.622m, 42);
        var terminated = expired with { Status = SessionStatus.Terminated, ReportedSeconds = 342, OverrunSeconds = 42, TerminateAnswer = answer };
        await Sessions.RecordClosedAsync(new ClosedSession("acc", terminated), default);
        await Sessions.RecordClosedAsync(new ClosedSession("acc", terminated), default);

        stored = await Sessions.FindClosedAsync(session, default);
        Assert.NotNull(stored);
        Assert.Equal("acc", stored.AccountId);
        Assert.Equal(answer, stored.Answer);
        Assert.Equivalent(terminated, stored.Session, strict: true);
        Assert.Equal("acc", await Sessions.FindAccountAsync(session, default));
    }
}
