using System.Globalization;
using ServerlessBilling.Api.Contracts;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Local.Commands.Simulate;

/// <summary>What a run found: the books of every account, the invoice (with --invoice), and what went wrong.</summary>
/// <param name="Fatal">
/// Why the run stopped early (the platform could not be reached, refused the key, or answered a step the run cannot go
/// on without with an error: a --url that is not the platform's), or null.
/// </param>
public sealed record SimulationResult(
    SimulateOptions Options,
    TimeSpan Elapsed,
    IReadOnlyList<AccountCheck> Accounts,
    InvoiceCheck? Invoice,
    Exception? Fatal)
{
    public IReadOnlyList<Mismatch> Mismatches => [.. Accounts.SelectMany(a => a.Mismatches), .. Invoice?.Mismatches ?? []];
}

/// <summary>The invoice issued for the billed account's last month, against the simulator's own rating.</summary>
public sealed record InvoiceCheck(string AccountId, string Period, InvoiceResponse? Invoice, decimal ExpectedSubtotal, IReadOnlyList<Mismatch> Mismatches);

/// <summary>
/// One run of the switch simulator: sets up a rate deck and accounts, places the calls of the plan while the runaway
/// account's week of CDRs arrives in batches, waits for every call to end, optionally issues an invoice, then
/// reads every account's books back.
/// </summary>
public sealed class Simulation(SimulateOptions options, PlatformClient client, SimulationStats stats, TimeProvider time)
{
    /// <summary>How long the end of the run waits for monitoring to suspend the runaway account.</summary>
    public static readonly TimeSpan SuspensionWait = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan AlertPollInterval = TimeSpan.FromSeconds(1);

    /// <summary>The share of the run over which the runaway week is posted, in <see cref="RunawayBatches"/> batches.</summary>
    public const double RunawayShare = 0.6;
    public const int RunawayBatches = 10;

    /// <summary>Denied authorizes sent before the first call, a few at once to open a few connections.</summary>
    public const int WarmUpRequests = 8;

    private readonly IReadOnlyList<SimulatedAccount> _accounts = SimulatedAccount.All(options.Invoice);
    private readonly Books _books = new();

    public IReadOnlyList<SimulatedAccount> Accounts => _accounts;

    public string AccountId(SimulatedAccount account) => $"{options.IdPrefix}-{account.Name}";

    public async Task<SimulationResult> RunAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? fatal = null;
        async Task Guard(Func<Task> work)
        {
            try
            {
                await work();
            }
            catch (Exception e) when (e is PlatformUnreachableException or PlatformKeyRefusedException or PlatformErrorException)
            {
                Interlocked.CompareExchange(ref fatal, e, null);
                await abort.CancelAsync();
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                // The run is stopping.
            }
        }

        var periodStarts = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await Guard(async () =>
        {
            await client.PutDeckAsync(SimulatorDeck.DeckId, SimulatorDeck.Csv, abort.Token);
            foreach (var account in _accounts)
            {
                var created = await client.PutAccountAsync(AccountId(account), account.Settings, abort.Token);
                periodStarts[AccountId(account)] = created.PeriodStart;
            }

            // An authorize for an account that does not exist is denied and stored nowhere: it warms both ends (code
            // paths, connections) so that the latency figures are the platform's, not the first calls' start-up.
            var warmUp = $"{options.IdPrefix}-warm-up";
            await Task.WhenAll(Enumerable.Range(0, WarmUpRequests).Select(i => client.AuthorizeAsync(
                new AuthorizeBody($"{warmUp}-{i}", warmUp, CallPlan.CallingRange + "0000", "+442079460000", null, SwitchCall.QuotaSeconds), abort.Token)));
        });
        if (fatal is not null || cancellationToken.IsCancellationRequested)
        {
            return new SimulationResult(options, time.GetElapsedTime(started), [], null, fatal);
        }

        var runStart = time.GetUtcNow();
        var plan = new CallPlan(options.Seed, options.Rate, options.Duration, _accounts);
        var poster = new CdrPoster(client, stats, time, abort.Token);
        var switchCalls = new SwitchCall(client, stats, _books, poster, options.IdPrefix, options.Speed, time);
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(abort.Token);
        var watcher = Guard(() => WatchAsync(watching.Token));
        var history = Guard(() => PostHistoryAsync(plan, poster, runStart, abort.Token));
        var calls = new List<Task>();
        await Guard(async () =>
        {
            foreach (var call in plan.Calls())
            {
                var due = call.Arrival - time.GetElapsedTime(started);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, time, abort.Token);
                }

                calls.Add(Guard(() => switchCalls.RunAsync(call, abort.Token)));
            }
        });
        await Task.WhenAll(calls);
        await history;
        await Guard(poster.CompleteAsync);

        InvoiceCheck? invoice = null;
        var checks = new List<AccountCheck>();
        await Guard(async () =>
        {
            await WaitForSuspensionAsync(abort.Token);
            if (options.Invoice)
            {
                invoice = await IssueInvoiceAsync(runStart, abort.Token);
            }

            await PollAlertsAsync(abort.Token);
            foreach (var account in _accounts)
            {
                var id = AccountId(account);
                var balance = await client.BalanceAsync(id, abort.Token);
                checks.Add(BooksCheck.Check(_books, account, id, balance, periodStarts[id]));
            }
        });
        await watching.CancelAsync();
        await watcher;
        cancellationToken.ThrowIfCancellationRequested();
        return new SimulationResult(options, time.GetElapsedTime(started), checks, invoice, fatal);
    }

    /// <summary>The runaway account's week, in batches over the first part of the run; the billed account's month at once.</summary>
    private async Task PostHistoryAsync(CallPlan plan, CdrPoster poster, DateTimeOffset runStart, CancellationToken cancellationToken)
    {
        if (options.Invoice)
        {
            var month = plan.LastMonth(runStart).Select(ToCdr).ToList();
            await PostPastAsync(poster, month, cancellationToken);
        }

        var week = plan.RunawayWeek(runStart).Select(ToCdr).ToList();
        var size = (week.Count + RunawayBatches - 1) / RunawayBatches;
        var interval = options.Duration * RunawayShare / RunawayBatches;
        for (var batch = 0; batch * size < week.Count; batch++)
        {
            await PostPastAsync(poster, week.Skip(batch * size).Take(size).ToList(), cancellationToken);
            await Task.Delay(interval, time, cancellationToken);
        }
    }

    private async Task PostPastAsync(CdrPoster poster, IReadOnlyList<Core.Cdrs.Cdr> cdrs, CancellationToken cancellationToken)
    {
        try
        {
            await poster.PostAsync(cdrs, cancellationToken);
            foreach (var cdr in cdrs)
            {
                _books.Record(cdr);
            }

            stats.HistorySent(cdrs.Count);
        }
        catch (PlatformErrorException e)
        {
            stats.Failed(e.Message);
        }
    }

    private Core.Cdrs.Cdr ToCdr(PastCall call) =>
        new($"{options.IdPrefix}-{call.Name}", AccountId(call.Account), CallPlan.CallingRange + "0000", call.CalledNumber, call.Start, call.DurationSeconds, Disposition.Answered, null);

    /// <summary>Alerts and the runaway account's figures, for the view, until the run ends.</summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await PollAlertsAsync(cancellationToken);
                await Task.Delay(AlertPollInterval, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run has ended.
        }
    }

    private async Task PollAlertsAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var account in _accounts)
            {
                foreach (var alert in (await client.AlertsAsync(AccountId(account), cancellationToken)).Items)
                {
                    stats.Saw(new AlertSeen(alert.AlertId, alert.AccountId, alert.Type, alert.RaisedAt, alert.Message));
                }
            }

            stats.Runaway = await client.BalanceAsync(AccountId(_accounts.Single(a => a.Name == SimulatedAccount.Runaway)), cancellationToken);
        }
        catch (PlatformErrorException e)
        {
            stats.Failed(e.Message);
        }
    }

    /// <summary>Monitoring works after the fact (seconds from CDR to alert): give it a moment to suspend the runaway account.</summary>
    private async Task WaitForSuspensionAsync(CancellationToken cancellationToken)
    {
        var runaway = AccountId(_accounts.Single(a => a.Name == SimulatedAccount.Runaway));
        var waiting = time.GetTimestamp();
        while (time.GetElapsedTime(waiting) < SuspensionWait)
        {
            var balance = await client.BalanceAsync(runaway, cancellationToken);
            stats.Runaway = balance;
            if (balance.Status == Core.Accounts.AccountStatus.Suspended || balance.PeriodSpend < SimulatedAccount.RunawayLimit * SimulatedAccount.RunawaySuspendAt)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
        }
    }

    private async Task<InvoiceCheck> IssueInvoiceAsync(DateTimeOffset runStart, CancellationToken cancellationToken)
    {
        var billed = AccountId(_accounts.Single(a => a.Name == SimulatedAccount.Billed));
        var period = CallPlan.LastMonthLabel(runStart);
        await client.RunInvoicesAsync(period, cancellationToken);
        var invoice = (await client.InvoicesAsync(billed, cancellationToken)).Items.FirstOrDefault(i => i.Period == period);
        var from = DateTimeOffset.ParseExact(period + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var expected = _books.InvoiceSubtotalOf(billed, from, from.AddMonths(1));
        var mismatches = new List<Mismatch>();
        if (invoice is null)
        {
            mismatches.Add(new Mismatch(billed, $"invoice for {period} (not issued) subtotal", 0m, expected));
        }
        else if (invoice.Subtotal != expected)
        {
            mismatches.Add(new Mismatch(billed, $"invoice {invoice.InvoiceNumber} subtotal", invoice.Subtotal, expected));
        }

        return new InvoiceCheck(billed, period, invoice, expected, mismatches);
    }
}
