using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Local.Hosting;
using ServerlessBilling.Testing;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// The monitoring worker judges the stream's accounts a page at a time. A page that failed (one account whose monitor
/// document cannot be read or written, a sink that refuses one alert) ended the pass: the pages after it were put back
/// unjudged, and since the same ids come back in the same order, an account that always fails kept every account after
/// its page from ever being judged (no alert, no suspension by policy).
/// </summary>
public sealed class MonitoringWorkerPagingTests
{
    [Fact]
    public async Task Accounts_that_always_fail_hold_back_no_page_after_theirs()
    {
        var h = CreditControlHarness.InMemory();
        var monitors = new FailingForSomeMonitorStore("bad-");
        var monitoring = new MonitoringService(monitors, new InMemoryAlertStore(), new NoAlertSink(), h.Admin, h.Clock);
        var changes = new AccountChangeStream();
        // Ten that fail among three pages: the stream's order is its map's, so some fail in a page before the last.
        var ids = Enumerable.Range(0, 10).Select(i => $"bad-{i}").Concat(Enumerable.Range(0, (3 * AccountChangeStream.ReadPage) - 10).Select(i => $"ok-{i:D4}")).ToList();
        foreach (var id in ids)
        {
            await h.OpenAsync(id, Fixtures.Postpaid(100m, hard: false), 0m);
        }

        using var worker = new MonitoringWorker(changes, h.Accounts, monitoring, new EmptyDirectory(), NullLogger<MonitoringWorker>.Instance);
        await worker.StartAsync(default);
        try
        {
            foreach (var id in ids)
            {
                changes.Publish(id);
            }

            Assert.Equal(ids.Count - 10, await JudgedAsync(monitors, ids.Count - 10));
        }
        finally
        {
            await worker.StopAsync(default);
        }
    }

    /// <summary>
    /// The worker reads a page of the stream's accounts before judging it. One account whose document cannot be read
    /// (a document the store holds but cannot parse) failed the read of its whole page, which was put back and read
    /// again, failing again: every other account of that page was never judged.
    /// </summary>
    [Fact]
    public async Task An_account_that_cannot_be_read_holds_back_no_other_of_its_page()
    {
        var h = CreditControlHarness.InMemory();
        var monitors = new FailingForSomeMonitorStore("never-");
        var monitoring = new MonitoringService(monitors, new InMemoryAlertStore(), new NoAlertSink(), h.Admin, h.Clock);
        var changes = new AccountChangeStream();
        var ids = Enumerable.Range(0, 20).Select(i => $"ok-{i:D4}").Append("bad-0").ToList();
        foreach (var id in ids)
        {
            await h.OpenAsync(id, Fixtures.Postpaid(100m, hard: false), 0m);
        }

        using var worker = new MonitoringWorker(changes, new UnreadableForSomeAccountStore(h.Accounts, "bad-"), monitoring, new EmptyDirectory(), NullLogger<MonitoringWorker>.Instance);
        await worker.StartAsync(default);
        try
        {
            foreach (var id in ids)
            {
                changes.Publish(id);
            }

            Assert.Equal(ids.Count - 1, await JudgedAsync(monitors, ids.Count - 1, TimeSpan.FromSeconds(5)));
        }
        finally
        {
            await worker.StopAsync(default);
        }
    }

    /// <summary>
    /// The catch-up at start goes through every account in the store a page at a time. A page whose judgment failed was
    /// retried for ever: an account that always fails in the first page kept every account after it from being judged.
    /// </summary>
    [Fact]
    public async Task At_start_accounts_that_always_fail_hold_back_no_page_of_the_catch_up_after_theirs()
    {
        var h = CreditControlHarness.InMemory();
        var monitors = new FailingForSomeMonitorStore("bad-");
        var monitoring = new MonitoringService(monitors, new InMemoryAlertStore(), new NoAlertSink(), h.Admin, h.Clock);
        // "bad-" sorts before "ok-": the ten are in the catch-up's first page.
        var ids = Enumerable.Range(0, 10).Select(i => $"bad-{i}").Concat(Enumerable.Range(0, (3 * MonitoringWorker.CatchUpPage) - 10).Select(i => $"ok-{i:D4}")).ToList();
        foreach (var id in ids)
        {
            await h.OpenAsync(id, Fixtures.Postpaid(100m, hard: false), 0m);
        }

        var changes = new AccountChangeStream();
        using var worker = new MonitoringWorker(changes, h.Accounts, monitoring, (IAccountDirectory)h.Accounts, NullLogger<MonitoringWorker>.Instance);
        await worker.StartAsync(default);
        try
        {
            Assert.Equal(ids.Count - 10, await JudgedAsync(monitors, ids.Count - 10));
        }
        finally
        {
            await worker.StopAsync(default);
        }
    }

    /// <summary>
    /// The catch-up listed a page that could not be listed again and again: one document in it that the store cannot
    /// parse made every listing of that page fail, and every account after it was never caught up after a restart.
    /// </summary>
    [Fact]
    public async Task At_start_a_page_that_can_never_be_listed_holds_back_no_account_after_it()
    {
        var h = CreditControlHarness.InMemory();
        var monitors = new FailingForSomeMonitorStore("never-");
        var monitoring = new MonitoringService(monitors, new InMemoryAlertStore(), new NoAlertSink(), h.Admin, h.Clock);
        // "bad-" sorts before "ok-": the catch-up's first page holds it, and so does every page that starts before it.
        var ids = Enumerable.Range(0, (2 * MonitoringWorker.CatchUpPage) + 10).Select(i => $"ok-{i:D4}").Append("bad-0").ToList();
        foreach (var id in ids)
        {
            await h.OpenAsync(id, Fixtures.Postpaid(100m, hard: false), 0m);
        }

        var directory = new UnlistableDirectory((IAccountDirectory)h.Accounts, "bad-");
        using var worker = new MonitoringWorker(
            new AccountChangeStream(), new UnreadableForSomeAccountStore(h.Accounts, "bad-"), monitoring, directory, NullLogger<MonitoringWorker>.Instance);
        await worker.StartAsync(default);
        try
        {
            Assert.Equal(ids.Count - 1, await JudgedAsync(monitors, ids.Count - 1, TimeSpan.FromSeconds(10)));
        }
        finally
        {
            await worker.StopAsync(default);
        }
    }

    /// <summary>How many accounts <paramref name="monitors"/> judged once it reached <paramref name="expected"/>, or after <paramref name="within"/> (20 s).</summary>
    private static async Task<int> JudgedAsync(FailingForSomeMonitorStore monitors, int expected, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow.Add(within ?? TimeSpan.FromSeconds(20));
        while (monitors.Judged < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return monitors.Judged;
    }

    /// <summary>The monitor store, but the documents of the accounts whose ids start with <paramref name="failing"/> can never be read.</summary>
    private sealed class FailingForSomeMonitorStore(string failing) : IMonitorStore
    {
        private readonly InMemoryMonitorStore _inner = new();
        private int _judged;

        public int Judged => Volatile.Read(ref _judged);

        public Task<Versioned<MonitorState>?> GetAsync(string accountId, CancellationToken cancellationToken) =>
            accountId.StartsWith(failing, StringComparison.Ordinal) ? throw new StoreUnavailableException("this one is away") : _inner.GetAsync(accountId, cancellationToken);

        public async Task<string?> TryCreateAsync(MonitorState state, CancellationToken cancellationToken)
        {
            var created = await _inner.TryCreateAsync(state, cancellationToken);
            if (created is not null)
            {
                Interlocked.Increment(ref _judged);
            }

            return created;
        }

        public Task<string?> TryReplaceAsync(MonitorState state, string ifMatch, CancellationToken cancellationToken) =>
            _inner.TryReplaceAsync(state, ifMatch, cancellationToken);
    }

    /// <summary>The account store, but the documents of the accounts whose ids start with <paramref name="failing"/> can never be read.</summary>
    private sealed class UnreadableForSomeAccountStore(IAccountStore inner, string failing) : IAccountStore
    {
        public Task<Versioned<Core.Accounts.AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) =>
            accountId.StartsWith(failing, StringComparison.Ordinal)
                ? throw new InvalidDataException($"account '{accountId}': the stored document cannot be read (injected)")
                : inner.GetAsync(accountId, cancellationToken);

        public Task<string?> TryCreateAsync(Core.Accounts.AccountState account, CancellationToken cancellationToken) => inner.TryCreateAsync(account, cancellationToken);

        public Task<string?> TryReplaceAsync(Core.Accounts.AccountState account, string ifMatch, CancellationToken cancellationToken) =>
            inner.TryReplaceAsync(account, ifMatch, cancellationToken);

        public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) => inner.FindExpiringAsync(instant, cancellationToken);
    }

    /// <summary>The directory, but a page that would hold an account whose id starts with <paramref name="failing"/> cannot be listed.</summary>
    private sealed class UnlistableDirectory(IAccountDirectory inner, string failing) : IAccountDirectory
    {
        public IAsyncEnumerable<string> ListAccountIdsAsync(CancellationToken cancellationToken) => inner.ListAccountIdsAsync(cancellationToken);

        public async Task<IReadOnlyList<Core.Accounts.AccountState>> ListPageAsync(string? after, int limit, CancellationToken cancellationToken)
        {
            var page = await inner.ListPageAsync(after, limit, cancellationToken);
            return page.Any(a => a.AccountId.StartsWith(failing, StringComparison.Ordinal))
                ? throw new InvalidDataException("a stored document of this page cannot be read (injected)")
                : page;
        }
    }

    private sealed class EmptyDirectory : IAccountDirectory
    {
        public IAsyncEnumerable<string> ListAccountIdsAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<string>();

        public Task<IReadOnlyList<Core.Accounts.AccountState>> ListPageAsync(string? after, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Core.Accounts.AccountState>>([]);
    }
}
