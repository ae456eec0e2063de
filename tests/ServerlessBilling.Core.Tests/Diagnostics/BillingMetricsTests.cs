using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Diagnostics;
using ServerlessBilling.Core.Money;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Diagnostics;

/// <summary>The meter is process-wide: these tests run alone, so what they measure is what they did.</summary>
[CollectionDefinition(nameof(MeterCollection), DisableParallelization = true)]
public sealed class MeterCollection;

[Collection(nameof(MeterCollection))]
public sealed class BillingMetricsTests
{
    // A currency no other test uses, so the charge series are this test's alone.
    private static readonly Currency Xts = new("XTS");

    [Fact]
    public async Task A_terminate_and_a_cdr_each_count_one_charge_and_its_amount_and_a_replay_counts_nothing()
    {
        using var measured = new Measurements();
        var harness = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        var account = await harness.OpenAsync($"metrics-{Guid.NewGuid():N}", Fixtures.Prepaid() with { Currency = Xts }, 100m);

        await harness.AuthorizeAsync(account, "s-1");
        var terminated = (await harness.TerminateAsync("s-1", 1, 61)).Answer!;
        await harness.TerminateAsync("s-1", 1, 61);
        var cdr = $"{Fixtures.CdrHeader}\nc-1,{account},+441234,+33612345678,2026-11-26T09:00:00Z,60,ANSWERED,\n";
        await harness.IngestCsvAsync(cdr);
        await harness.IngestCsvAsync(cdr);

        Assert.True(terminated.Charge > 0m);
        Assert.Equal(1, measured.Sum("billing.charges", ("currency", "XTS"), ("settled_by", "session")));
        Assert.Equal((double)terminated.Charge, measured.Sum("billing.charges.amount", ("currency", "XTS"), ("settled_by", "session")));
        Assert.Equal(1, measured.Sum("billing.charges", ("currency", "XTS"), ("settled_by", "cdr")));
        Assert.Equal(0.15, measured.Sum("billing.charges.amount", ("currency", "XTS"), ("settled_by", "cdr")), 10);
    }

    [Fact]
    public async Task A_cdr_batch_over_several_accounts_counts_each_charge_once_with_their_amounts_and_a_replay_counts_nothing()
    {
        using var measured = new Measurements();
        var harness = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        var accounts = new List<string>();
        for (var a = 0; a < 3; a++)
        {
            accounts.Add(await harness.OpenAsync($"metrics-{a}-{Guid.NewGuid():N}", Fixtures.Postpaid(1000m, hard: false) with { Currency = Xts }, 0m));
        }

        var csv = Fixtures.CdrHeader + "\n" + string.Join("\n", accounts.SelectMany((account, a) => Enumerable.Range(1, a + 1).Select(i =>
            $"{account}-c{i},{account},+441234,+33612345678,2026-11-26T09:0{i}:00Z,{60 * i},ANSWERED,")));
        await harness.IngestCsvAsync(csv);
        await harness.IngestCsvAsync(csv);

        var committed = 0m;
        foreach (var account in accounts)
        {
            committed += (await harness.StateAsync(account)).Committed;
        }

        Assert.True(committed > 0m);
        Assert.Equal(6, measured.Sum("billing.charges", ("currency", "XTS"), ("settled_by", "cdr")));
        Assert.Equal((double)committed, measured.Sum("billing.charges.amount", ("currency", "XTS"), ("settled_by", "cdr")), 10);
    }

    [Fact]
    public async Task An_etag_conflict_counts_a_write_retry_and_logs_it_with_the_account_only()
    {
        using var measured = new Measurements();
        var store = new ConflictingOnce(new InMemoryAccountStore());
        var logs = new ListLogger();
        var updater = new AccountUpdater(store, new AccountWriteOptions(), logs);
        var opened = AccountState.Open("retry-1", Fixtures.Prepaid(), 10m, Fixtures.Now);
        await updater.UpdateAsync("retry-1", _ => Decision.Changed(opened, "created"), default);

        var decision = await updater.UpdateAsync("retry-1", a => Decision.Changed(a! with { Balance = 9m }, "changed"), default);

        Assert.Equal("changed", decision.Answer);
        Assert.Equal(1, store.Conflicts);
        Assert.Equal(1, measured.Sum("billing.store.write_retries"));
        var line = Assert.Single(logs.Lines);
        Assert.Equal((LogLevel.Debug, "Account retry-1 changed since it was read (ETag conflict); writing again after attempt 1"), line);
    }

    [Fact]
    public async Task Giving_up_on_a_contended_account_is_a_warning_and_a_store_fault()
    {
        using var measured = new Measurements();
        var store = new ConflictingOnce(new InMemoryAccountStore(), always: true);
        var logs = new ListLogger();
        var updater = new AccountUpdater(store, new AccountWriteOptions { MaxConcurrencyRetries = 2 }, logs);
        await updater.UpdateAsync("busy", _ => Decision.Changed(AccountState.Open("busy", Fixtures.Prepaid(), 1m, Fixtures.Now), "created"), default);

        var fault = await Assert.ThrowsAsync<StoreUnavailableException>(() => updater.UpdateAsync("busy", a => Decision.Changed(a! with { Balance = 0m }, "x"), default));

        Assert.Equal("account store", fault.Store); // the 503 says which store
        Assert.Equal(2, measured.Sum("billing.store.write_retries"));
        Assert.Equal((LogLevel.Warning, "Account busy stayed contended after 3 attempts; the request is answered 503"), logs.Lines[^1]);
    }

    /// <summary>Every measurement of the billing meter while it lives.</summary>
    private sealed class Measurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _seen = [];

        public Measurements()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == BillingMetrics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
            _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
            _listener.Start();
        }

        public double Sum(string instrument, params (string Key, string Value)[] tags)
        {
            lock (_seen)
            {
                return _seen.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.Any(k => k.Key == t.Key && Equals(k.Value, t.Value)))).Sum(m => m.Value);
            }
        }

        public void Dispose() => _listener.Dispose();

        private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            lock (_seen)
            {
                _seen.Add((instrument.Name, value, tags.ToArray()));
            }
        }
    }

    /// <summary>Another process's write lands between this one's read and write: the first replace (or every one) finds the ETag moved.</summary>
    private sealed class ConflictingOnce(IAccountStore inner, bool always = false) : IAccountStore
    {
        public int Conflicts { get; private set; }

        public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) => inner.GetAsync(accountId, cancellationToken);

        public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken) => inner.TryCreateAsync(account, cancellationToken);

        public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken)
        {
            if (always || Conflicts == 0)
            {
                Conflicts++;
                return Task.FromResult<string?>(null);
            }

            return inner.TryReplaceAsync(account, ifMatch, cancellationToken);
        }

        public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) => inner.FindExpiringAsync(instant, cancellationToken);
    }

    private sealed class ListLogger : ILogger<AccountUpdater>
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }
}
