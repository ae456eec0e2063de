using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Monitoring;

/// <summary>
/// Spend monitoring, fed by a change feed of account documents (Cosmos DB's, or the embedded stores' stream),
/// delivered at least once and in any order. Why the account documents: every charge — a CDR's, an interim's, a
/// terminate's — lands there in the same write that moves the money, so monitoring sees a terminate within the
/// feed's delay without waiting for the call's CDR, and needs no second write on the credit-control path. The
/// verdict is a function of the newest document (<see cref="MonitorRules"/>); monitoring's own document remembers
/// the newest revision judged, so an older or repeated version is skipped, and alert ids are deterministic, so two
/// consumers or a replay raise nothing twice.
/// </summary>
public sealed partial class MonitoringService(
    IMonitorStore monitors,
    IAlertStore alerts,
    IAlertSink sink,
    AccountService accounts,
    TimeProvider clock,
    ILogger<MonitoringService>? logger = null)
{
    private const int AccountsInParallel = 4;
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>Judges every changed account (the newest version of each); returns how many alerts were raised.</summary>
    /// <remarks>
    /// Accounts are judged one after the other while the stores answer at once (the embedded stores): no thread is woken
    /// for them. Once a store call has to wait (Cosmos DB), up to <see cref="AccountsInParallel"/> accounts are judged
    /// at a time. An account that cannot be judged (a store or sink fault) holds back no other: every account of the
    /// batch is judged, then the first fault fails the batch, which the feed delivers again (the accounts judged are then
    /// skipped by their revision).
    /// </remarks>
    public async Task<int> HandleAsync(IEnumerable<AccountState> changed, CancellationToken cancellationToken)
    {
        var raised = 0;
        ExceptionDispatchInfo? failed = null;
        List<Task<int>>? waiting = null;
        try
        {
            foreach (var account in Newest(changed))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var judged = JudgeAsync(account, cancellationToken);
                if (!judged.IsCompleted)
                {
                    (waiting ??= []).Add(judged);
                    if (waiting.Count < AccountsInParallel)
                    {
                        continue;
                    }

                    judged = await Task.WhenAny(waiting);
                    waiting.Remove(judged);
                }

                Collect(judged);
            }

            if (waiting is { Count: > 0 })
            {
                await ((Task)Task.WhenAll(waiting)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                waiting.ForEach(Collect);
                waiting = null;
            }
        }
        catch when (waiting is { Count: > 0 })
        {
            // Cancelled: the judgments in flight finish first.
            await ((Task)Task.WhenAll(waiting)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        failed?.Throw();
        return raised;

        void Collect(Task<int> judged)
        {
            if (judged.IsCompletedSuccessfully)
            {
                raised += judged.Result;
            }
            else
            {
                failed ??= ExceptionDispatchInfo.Capture(judged.Exception?.InnerException ?? new OperationCanceledException(cancellationToken));
            }
        }
    }

    /// <summary>The newest version of each account in a feed's batch (the embedded stream's batches hold one each already).</summary>
    private static IEnumerable<AccountState> Newest(IEnumerable<AccountState> changed)
    {
        var newest = new Dictionary<string, AccountState>(StringComparer.Ordinal);
        foreach (var account in changed)
        {
            if (!newest.TryGetValue(account.AccountId, out var seen) || account.Revision > seen.Revision)
            {
                newest[account.AccountId] = account;
            }
        }

        return newest.Values;
    }

    /// <summary>The figures monitoring last judged for the account, for the balance view; null before the first.</summary>
    public async Task<MonitorState?> GetAsync(string accountId, CancellationToken cancellationToken) =>
        (await monitors.GetAsync(accountId, cancellationToken))?.Value;

    private async Task<int> JudgeAsync(AccountState account, CancellationToken cancellationToken)
    {
        var stored = await monitors.GetAsync(account.AccountId, cancellationToken);
        if (stored is not null && stored.Value.Revision >= account.Revision)
        {
            return 0;
        }

        var now = clock.GetUtcNow();
        var known = stored?.Value.Raised ?? [];
        var verdict = MonitorRules.Judge(account, now, known);
        // The suspension first: it stops the loss, while publishing is a notification that may take long (a webhook that
        // is down is retried for seconds an alert). Its own ACCOUNT_SUSPENDED alert comes with the version it writes.
        // One that cannot be written holds back no alert (they tell of the runaway it failed to stop): it fails the
        // judgment after them, unremembered, so that the version is judged again and the suspension tried again.
        ExceptionDispatchInfo? suspensionFailed = null;
        if (verdict.SuspendReason is { } reason)
        {
            try
            {
                await accounts.SuspendAsync(account.AccountId, reason, byPolicy: true, cancellationToken);
            }
            catch (StoreRefusedException refused)
            {
                // Refused for good (a document larger than the store holds): no retry of this version can write it, and a
                // failed batch is delivered again without end, holding back every account after it. Nor can a charge be
                // written to that document; the account's next version is judged, and its suspension tried, again.
                LogSuspensionRefused(_logger, account.AccountId, refused.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                suspensionFailed = ExceptionDispatchInfo.Capture(ex);
            }
        }

        var raised = 0;
        var remembered = known;
        foreach (var alert in verdict.Alerts)
        {
            // Published before it is stored: a crash in between publishes it again (receivers drop it by id), but an
            // alert stored is never left unpublished.
            if (await alerts.FindAsync(alert.AccountId, alert.AlertId, cancellationToken) is null)
            {
                await sink.PublishAsync(alert, cancellationToken);
                if (await alerts.TryCreateAsync(alert, cancellationToken))
                {
                    LogRaised(_logger, alert.AccountId, alert.Type.ToWire(), alert.AlertId, alert.Message);
                    raised++;
                }
            }

            remembered = [.. remembered, alert.AlertId];
        }

        suspensionFailed?.Throw();

        // The list of raised ids is copied only when it grew: most judgments raise nothing.
        var kept = ReferenceEquals(remembered, known) ? known : remembered.TakeLast(MonitorState.RaisedKept).ToList();
        await RememberAsync(stored, new MonitorState(account.AccountId, account.Revision, verdict.Figures, now, kept), cancellationToken);
        return raised;
    }

    private async Task RememberAsync(Versioned<MonitorState>? stored, MonitorState next, CancellationToken cancellationToken)
    {
        var judgedFrom = stored;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var written = stored is null
                ? await monitors.TryCreateAsync(next, cancellationToken)
                : await monitors.TryReplaceAsync(WithRaisedOf(stored.Value, next, ReferenceEquals(stored, judgedFrom)), stored.ETag, cancellationToken);
            if (written is not null)
            {
                return;
            }

            // Another consumer wrote first; keep whichever judged the newer revision.
            stored = await monitors.GetAsync(next.AccountId, cancellationToken);
            if (stored is not null && stored.Value.Revision >= next.Revision)
            {
                return;
            }
        }

        throw new StoreUnavailableException($"monitor document of account '{next.AccountId}' stayed contended") { Store = "monitor store" };
    }

    /// <summary>
    /// The next monitor document keeps every id the stored one holds as well as its own. When it was judged from that
    /// very document, its ids already start from the stored ones, so nothing is merged.
    /// </summary>
    private static MonitorState WithRaisedOf(MonitorState stored, MonitorState next, bool judgedFromIt) =>
        judgedFromIt
            ? next
            : next with { Raised = stored.Raised.Union(next.Raised, StringComparer.Ordinal).TakeLast(MonitorState.RaisedKept).ToList() };

    [LoggerMessage(Level = LogLevel.Error, Message = "Suspension of account {AccountId} by its policy refused by the store: {Reason}")]
    private static partial void LogSuspensionRefused(ILogger logger, string accountId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Type} on account {AccountId} ({AlertId}): {Message}")]
    private static partial void LogRaised(ILogger logger, string accountId, string type, string alertId, string message);
}
