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
    public async Task<int> HandleAsync(IEnumerable<AccountState> changed, CancellationToken cancellationToken)
    {
        var newest = changed.GroupBy(a => a.AccountId, StringComparer.Ordinal).Select(g => g.MaxBy(a => a.Revision)!).ToList();
        var raised = 0;
        await Parallel.ForEachAsync(
            newest,
            new ParallelOptions { MaxDegreeOfParallelism = AccountsInParallel, CancellationToken = cancellationToken },
            async (account, ct) => Interlocked.Add(ref raised, await JudgeAsync(account, ct)));
        return raised;
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
        var verdict = MonitorRules.Judge(account, now);
        var known = stored?.Value.Raised ?? [];
        var raised = new List<string>();
        foreach (var alert in verdict.Alerts.Where(a => !known.Contains(a.AlertId, StringComparer.Ordinal)))
        {
            // Published before it is stored: a crash in between publishes it again (receivers drop it by id), but an
            // alert stored is never left unpublished.
            if (await alerts.FindAsync(alert.AccountId, alert.AlertId, cancellationToken) is null)
            {
                await sink.PublishAsync(alert, cancellationToken);
                if (await alerts.TryCreateAsync(alert, cancellationToken))
                {
                    LogRaised(_logger, alert.AccountId, alert.Type.ToWire(), alert.AlertId, alert.Message);
                    raised.Add(alert.AlertId);
                }
            }

            known = [.. known, alert.AlertId];
        }

        if (verdict.SuspendReason is { } reason)
        {
            await accounts.SuspendAsync(account.AccountId, reason, byPolicy: true, cancellationToken);
        }

        await RememberAsync(stored, new MonitorState(account.AccountId, account.Revision, verdict.Figures, now, known.TakeLast(MonitorState.RaisedKept).ToList()), cancellationToken);
        return raised.Count;
    }

    private async Task RememberAsync(Versioned<MonitorState>? stored, MonitorState next, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var written = stored is null
                ? await monitors.TryCreateAsync(next, cancellationToken)
                : await monitors.TryReplaceAsync(next with { Raised = stored.Value.Raised.Union(next.Raised, StringComparer.Ordinal).TakeLast(MonitorState.RaisedKept).ToList() }, stored.ETag, cancellationToken);
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

        throw new StoreUnavailableException($"monitor document of account '{next.AccountId}' stayed contended");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Type} on account {AccountId} ({AlertId}): {Message}")]
    private static partial void LogRaised(ILogger logger, string accountId, string type, string alertId, string message);
}
