using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>
/// The moments of an authorize for an unknown account that a race can fall into, held open: after its claim and
/// before it lets the claim go. Whatever comes in that gap, the call id ends with the account that has the call, and
/// the call is charged once.
/// </summary>
public sealed class UnknownAccountRaceTests
{
    [Fact]
    public async Task The_real_account_authorizing_while_an_unknown_ones_claim_is_still_held_takes_the_id()
    {
        var (harness, store, sessions) = await NewAsync();
        var held = store.HoldFirstRead("nobody");
        var unknown = harness.AuthorizeAsync("nobody", "call-1", Numbers.Uk, 60);
        await held.Reached;
        Assert.Equal("nobody", await sessions.FindAccountAsync("call-1", default)); // claimed, not yet let go

        var granted = await harness.AuthorizeAsync("acme", "call-1", Numbers.Uk, 60);
        held.Open();

        Assert.True(granted.Answer is { ResultCode: ResultCode.Success }, $"the real account got {granted.Answer?.ResultCode} {granted.Error}");
        var grant = granted.Answer;
        Assert.Equal(ResultCode.AccountNotFound, (await unknown).Answer!.ResultCode);
        Assert.Equal("acme", await sessions.FindAccountAsync("call-1", default));
        Assert.Equal(grant, (await harness.AuthorizeAsync("acme", "call-1", Numbers.Uk, 60)).Answer);
        Assert.Equal(1.00m, (await harness.TerminateAsync("call-1", 1, 60)).Answer!.Charge);
        var state = await harness.StateAsync("acme");
        Assert.Equal((9.00m, 0m, 0), (state.Balance, state.Reserved, state.ActiveSessions));
    }

    [Fact]
    public async Task An_account_created_and_granted_the_id_while_its_unknown_answer_is_on_the_way_keeps_it()
    {
        var (harness, store, sessions) = await NewAsync();
        var held = store.HoldFirstRead("late", afterRead: true); // the first authorize has read "no such account"
        var first = harness.AuthorizeAsync("late", "call-1", Numbers.Uk, 60);
        await held.Reached;

        await harness.OpenAsync("late", Fixtures.Prepaid(), 10m);
        var repeat = (await harness.AuthorizeAsync("late", "call-1", Numbers.Uk, 60)).Answer!;
        held.Open();

        Assert.Equal(ResultCode.Success, repeat.ResultCode);
        Assert.Equal(ResultCode.AccountNotFound, (await first).Answer!.ResultCode);
        Assert.Equal("late", await sessions.FindAccountAsync("call-1", default)); // the session it opened still has its claim
        Assert.Equal(OutcomeErrorKind.Conflict, (await harness.AuthorizeAsync("acme", "call-1", Numbers.Uk, 60)).Error?.Kind);
        Assert.Equal(1.00m, (await harness.TerminateAsync("call-1", 1, 60)).Answer!.Charge);
        Assert.Equal((9.00m, 0m), ((await harness.StateAsync("late")).Balance, (await harness.StateAsync("late")).Reserved));
        Assert.Equal((10.00m, 0m), ((await harness.StateAsync("acme")).Balance, (await harness.StateAsync("acme")).Reserved));
    }

    [Fact]
    public async Task An_account_created_and_granted_the_id_while_its_unknown_answer_is_on_the_way_is_never_left_without_its_claim()
    {
        var (harness, store, sessions) = await NewAsync();
        var held = store.HoldFirstRead("late", afterRead: true); // the first authorize has read "no such account"
        var first = harness.AuthorizeAsync("late", "call-1", Numbers.Uk, 60);
        await held.Reached;
        await harness.OpenAsync("late", Fixtures.Prepaid(), 10m);
        Assert.Equal(ResultCode.Success, (await harness.AuthorizeAsync("late", "call-1", Numbers.Uk, 60)).Answer!.ResultCode);

        var next = store.HoldFirstRead("late"); // the first authorize's next read of the account, held before it reads
        held.Open();
        await Task.WhenAny(next.Reached, first);

        // Whatever the first authorize is doing now, the call granted to "late" is routed to it, and no other account opens it.
        var interim = await harness.InterimAsync("call-1", 1, 10);
        var other = await harness.AuthorizeAsync("acme", "call-1", Numbers.Uk, 60);
        next.Open();
        Assert.Equal(ResultCode.AccountNotFound, (await first).Answer!.ResultCode);

        Assert.True(interim.Answer is { ResultCode: ResultCode.Success }, $"the granted call's interim got {interim.Answer?.ResultCode} {interim.Error}");
        Assert.Equal(OutcomeErrorKind.Conflict, other.Error?.Kind);
        Assert.Equal("late", await sessions.FindAccountAsync("call-1", default));
        Assert.Equal(1.00m, (await harness.TerminateAsync("call-1", 2, 50)).Answer!.Charge);
        var (late, acme) = (await harness.StateAsync("late"), await harness.StateAsync("acme"));
        Assert.Equal((9.00m, 0m, 0), (late.Balance, late.Reserved, late.ActiveSessions));
        Assert.Equal((10.00m, 0m, 0), (acme.Balance, acme.Reserved, acme.ActiveSessions));
    }

    [Fact]
    public async Task A_claim_let_go_by_another_account_as_its_account_is_created_and_granted_the_call_is_made_again()
    {
        var (harness, store, sessions) = await NewAsync();
        var unknown = store.HoldFirstRead("late", afterRead: true); // "late"'s own authorize has read "no such account"
        var first = harness.AuthorizeAsync("late", "call-1", Numbers.Uk, 60);
        await unknown.Reached;
        var meets = store.HoldFirstRead("late", afterRead: true); // acme's authorize met the claim and read "no such account"
        var other = harness.AuthorizeAsync("acme", "call-1", Numbers.Uk, 60);
        await meets.Reached;

        await harness.OpenAsync("late", Fixtures.Prepaid(), 10m);
        Assert.Equal(ResultCode.Success, (await harness.AuthorizeAsync("late", "call-1", Numbers.Uk, 60)).Answer!.ResultCode);
        meets.Open();
        var answer = await other;
        unknown.Open();
        Assert.Equal(ResultCode.AccountNotFound, (await first).Answer!.ResultCode);

        Assert.Equal(OutcomeErrorKind.Conflict, answer.Error?.Kind);
        Assert.Equal("late", await sessions.FindAccountAsync("call-1", default));
        Assert.Equal(1.00m, (await harness.TerminateAsync("call-1", 1, 60)).Answer!.Charge);
        var (late, acme) = (await harness.StateAsync("late"), await harness.StateAsync("acme"));
        Assert.Equal((9.00m, 0m, 0), (late.Balance, late.Reserved, late.ActiveSessions));
        Assert.Equal((10.00m, 0m, 0), (acme.Balance, acme.Reserved, acme.ActiveSessions));
    }

    private static async Task<(CreditControlHarness Harness, GatedReads Store, InMemorySessionIndex Sessions)> NewAsync()
    {
        var store = new GatedReads(new InMemoryAccountStore());
        var sessions = new InMemorySessionIndex();
        // Writers race on the ETag, as in different processes: a held read keeps no lock that the others would wait on.
        var harness = new CreditControlHarness(store, sessions, new InMemoryRateDeckStore(), writes: new AccountWriteOptions { SerializeWritersInProcess = false });
        await harness.OpenAsync("acme", Fixtures.Prepaid(), 10m);
        return (harness, store, sessions);
    }

    /// <summary>An account store that can hold the next read of one account, before or after it reads.</summary>
    private sealed class GatedReads(IAccountStore inner) : IAccountStore
    {
        private Gate? _gate;

        public Gate HoldFirstRead(string accountId, bool afterRead = false) => _gate = new Gate(accountId, afterRead);

        public async Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken)
        {
            var gate = _gate is { } g && g.AccountId == accountId && Interlocked.CompareExchange(ref _gate, null, g) == g ? g : null;
            if (gate is { AfterRead: false })
            {
                await gate.HoldAsync();
            }

            var read = await inner.GetAsync(accountId, cancellationToken);
            if (gate is { AfterRead: true })
            {
                await gate.HoldAsync();
            }

            return read;
        }

        public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken) => inner.TryCreateAsync(account, cancellationToken);

        public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken) => inner.TryReplaceAsync(account, ifMatch, cancellationToken);

        public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) => inner.FindExpiringAsync(instant, cancellationToken);
    }

    private sealed class Gate(string accountId, bool afterRead)
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string AccountId => accountId;

        public bool AfterRead => afterRead;

        public Task Reached => _reached.Task;

        public void Open() => _open.TrySetResult();

        public Task HoldAsync()
        {
            _reached.TrySetResult();
            return _open.Task;
        }
    }
}
