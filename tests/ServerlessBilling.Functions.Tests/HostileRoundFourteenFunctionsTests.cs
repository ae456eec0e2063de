using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using Names = ServerlessBilling.Api.ApiRoutes.Names;

namespace ServerlessBilling.Functions.Tests;

/// <summary>Round fourteen of the hostile review: the Functions app's switch routes over a frozen account store.</summary>
public sealed class HostileRoundFourteenFunctionsTests
{
    [Fact]
    public async Task The_balance_function_on_a_frozen_store_is_503_with_retry_after_at_the_store_deadline()
    {
        // The balance handler had no deadline, in the Functions app as on the local host: a frozen store held the
        // switch's request for as long as the store stayed frozen (up to the function timeout, 5 minutes).
        var clock = new FakeTimeProvider(HttpParityTests.Now);
        var store = new FreezingReads(new InMemoryAccountStore());
        await using var functions = new FunctionsApp(clock, s => s.AddSingleton<IAccountStore>(store));
        var dispatch = HttpParityTests.Dispatch(functions);
        foreach (var setup in new[]
        {
            new HttpCall(Names.PutRateDeck, "PUT", "ratedecks/demo", "prefix,destination,rate,min_seconds,increment_seconds\n44,United Kingdom,0.01,60,60\n", "text/csv"),
            new HttpCall(Names.PutAccount, "PUT", "accounts/pre", """{"name":"Pre","mode":"prepaid","currency":"GBP","rateDeckId":"demo","initialBalance":10}"""),
        })
        {
            Assert.Equal(200, (await functions.CallAsync(setup, dispatch[setup.Function](setup))).Status);
        }

        var call = new HttpCall(Names.Balance, "GET", "accounts/pre/balance");
        store.Freeze();
        var pending = functions.CallAsync(call, dispatch[call.Function](call));
        await store.Stalled.WaitAsync(TimeSpan.FromSeconds(10));
        clock.Advance(functions.Services.GetRequiredService<CreditControlOptions>().StoreDeadline + TimeSpan.FromMilliseconds(1));
        var answer = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        store.Thaw();

        Assert.Equal(503, answer.Status);
        Assert.Equal("application/problem+json", answer.MediaType);
        Assert.Equal("1", answer.RetryAfter);
    }

    /// <summary>An account store whose reads, once frozen, wait for the thaw whatever their cancellation says.</summary>
    private sealed class FreezingReads(IAccountStore inner) : IAccountStore
    {
        private readonly TaskCompletionSource _thaw = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _frozen;

        public Task Stalled => _stalled.Task;

        public void Freeze() => _frozen = true;

        public void Thaw() => _thaw.TrySetResult();

        public async Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken)
        {
            if (_frozen)
            {
                _stalled.TrySetResult();
                await _thaw.Task;
            }

            return await inner.GetAsync(accountId, cancellationToken);
        }

        public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken) => inner.TryCreateAsync(account, cancellationToken);

        public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken) => inner.TryReplaceAsync(account, ifMatch, cancellationToken);

        public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) => inner.FindExpiringAsync(instant, cancellationToken);
    }
}
