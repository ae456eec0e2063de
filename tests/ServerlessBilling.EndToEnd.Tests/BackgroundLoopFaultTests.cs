using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Local.Hosting;
using ServerlessBilling.Testing;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// The local host's timed loops (the invoice run, the expiry sweep) log a run that fails and run again at the next tick.
/// They let every OperationCanceledException through as if the host were stopping, also one the host's token did not
/// cause (the TaskCanceledException an HttpClient throws at its timeout, a store's own cancelled request): the loop
/// ended, its ExecuteTask cancelled while the host was not stopping, which the host takes as a failed background service
/// and stops on (the default BackgroundServiceExceptionBehavior.StopHost), taking credit control down with it.
/// </summary>
public sealed class BackgroundLoopFaultTests
{
    [Fact]
    public async Task The_invoice_run_goes_on_after_a_run_that_failed_with_a_cancellation_the_host_did_not_ask_for()
    {
        var stores = InvoicingStores.InMemory();
        var clock = new FakeTimeProvider(Fixtures.Now);
        var directory = new CancellingOnceDirectory();
        var invoicing = new InvoiceRunService(
            stores.Accounts, new AccountUpdater(stores.Accounts, new AccountWriteOptions()), directory, stores.Invoices, stores.Counters, new InMemoryDocumentSink(), clock);
        using var scheduler = new InvoiceScheduler(
            invoicing, Microsoft.Extensions.Options.Options.Create(new LocalOptions { InvoiceRunInterval = TimeSpan.FromHours(1) }), clock, NullLogger<InvoiceScheduler>.Instance);

        await scheduler.StartAsync(default);
        try
        {
            await directory.ListedAsync(1);
            await Task.WhenAny(scheduler.ExecuteTask!, Task.Delay(500));
            Assert.False(scheduler.ExecuteTask!.IsCompleted, scheduler.ExecuteTask.Exception?.ToString() ?? "the loop ended");
            clock.Advance(TimeSpan.FromHours(1));
            await directory.ListedAsync(2);
            Assert.False(scheduler.ExecuteTask!.IsFaulted, scheduler.ExecuteTask.Exception?.ToString());
        }
        finally
        {
            await scheduler.StopAsync(default);
        }
    }

    [Fact]
    public async Task The_expiry_sweep_goes_on_after_a_sweep_that_failed_with_a_cancellation_the_host_did_not_ask_for()
    {
        var accounts = new CancellingOnceAccountStore(new InMemoryAccountStore());
        var h = new CreditControlHarness(accounts, new InMemorySessionIndex(), new InMemoryRateDeckStore());
        using var sweeper = new ExpirySweeper(
            h.CreditControl, Microsoft.Extensions.Options.Options.Create(new LocalOptions { SweepInterval = TimeSpan.FromSeconds(5) }), h.Clock, NullLogger<ExpirySweeper>.Instance);

        await sweeper.StartAsync(default);
        try
        {
            // The loop starts on a thread of its own: the clock is moved on until its timer has ticked.
            await accounts.SweptAsync(1, () => h.Clock.Advance(TimeSpan.FromSeconds(5)));
            await accounts.SweptAsync(2, () => h.Clock.Advance(TimeSpan.FromSeconds(5)));
            Assert.False(sweeper.ExecuteTask!.IsFaulted, sweeper.ExecuteTask.Exception?.ToString());
        }
        finally
        {
            await sweeper.StopAsync(default);
        }
    }

    /// <summary>Waits (up to 10 s) until <paramref name="count"/> says <paramref name="expected"/> calls were made, calling <paramref name="meanwhile"/> at each look.</summary>
    private static async Task WaitForAsync(Func<int> count, int expected, string what, Action? meanwhile = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (count() < expected && DateTime.UtcNow < deadline)
        {
            meanwhile?.Invoke();
            await Task.Delay(20);
        }

        Assert.True(count() >= expected, $"{what}: {count()} call(s), expected {expected}");
    }

    /// <summary>No accounts; its first listing fails as an HttpClient at its timeout does.</summary>
    private sealed class CancellingOnceDirectory : IAccountDirectory
    {
        private int _listed;

        public Task ListedAsync(int expected) => WaitForAsync(() => Volatile.Read(ref _listed), expected, "account listings");

        public async IAsyncEnumerable<string> ListAccountIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            if (Interlocked.Increment(ref _listed) == 1)
            {
                throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 5 seconds elapsing. (injected)");
            }

            yield break;
        }

        public Task<IReadOnlyList<AccountState>> ListPageAsync(string? after, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<AccountState>>([]);
    }

    /// <summary>The account store, but its first look for expiring reservations fails as an HttpClient at its timeout does.</summary>
    private sealed class CancellingOnceAccountStore(IAccountStore inner) : IAccountStore
    {
        private int _swept;

        public Task SweptAsync(int expected, Action meanwhile) => WaitForAsync(() => Volatile.Read(ref _swept), expected, "sweeps", meanwhile);

        public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) => inner.GetAsync(accountId, cancellationToken);

        public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken) => inner.TryCreateAsync(account, cancellationToken);

        public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken) => inner.TryReplaceAsync(account, ifMatch, cancellationToken);

        public async IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            if (Interlocked.Increment(ref _swept) == 1)
            {
                throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 5 seconds elapsing. (injected)");
            }

            await foreach (var id in inner.FindExpiringAsync(instant, cancellationToken))
            {
                yield return id;
            }
        }
    }
}
