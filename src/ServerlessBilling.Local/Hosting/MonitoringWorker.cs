using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Local.Hosting;

/// <summary>
/// Reads the embedded stores' change stream and hands each batch of changed accounts to spend monitoring (the Cosmos
/// DB change feed does this in Azure). A batch that fails is put back, so no change is lost.
/// </summary>
/// <remarks>
/// The stream lives in the process: writes a stopped (or killed) host had not judged yet are not in it after a restart.
/// So at start the worker also goes once through every account in the store, a page at a time, beside the stream:
/// monitoring skips each account whose newest revision it has judged already, and judges the others (an alert still
/// raised once: its id is the same either way).
/// </remarks>
public sealed partial class MonitoringWorker(
    AccountChangeStream changes, IAccountStore store, MonitoringService monitoring, IAccountDirectory directory, ILogger<MonitoringWorker> logger) : BackgroundService
{
    /// <summary>Accounts read and judged at a time by the catch-up at start.</summary>
    public const int CatchUpPage = 200;

    /// <summary>
    /// How long changes gather after the first before they are judged: the writes of that time coalesce (an account
    /// written many times is judged once, on its newest state) and the worker wakes a few times a second, not once per
    /// write. Alerts still follow the write that caused them well within a second.
    /// </summary>
    public static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var catchUp = Task.Run(() => CatchUpAsync(stoppingToken), stoppingToken);
        await WatchAsync(stoppingToken);
        await catchUp.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Listings of one catch-up page that fail in a row before the catch-up hands every account to the stream.</summary>
    public const int CatchUpListingAttempts = 3;

    /// <summary>
    /// Judges every account once (those judged at their newest revision are skipped). A page that cannot be listed is
    /// listed again; a page listed whose judgment fails is handed to the stream, which tries its accounts again with the
    /// others, and the catch-up goes on: an account that always fails must not keep the accounts after it from being judged.
    /// A page that still cannot be listed after <see cref="CatchUpListingAttempts"/> tries (a document in it the store cannot
    /// read fails every listing of it) hands every account id to the stream instead, which reads each on its own.
    /// </summary>
    private async Task CatchUpAsync(CancellationToken stoppingToken)
    {
        var (after, seen, raised, failedListings) = ((string?)null, 0, 0, 0);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            IReadOnlyList<Core.Accounts.AccountState> page;
            try
            {
                page = await directory.ListPageAsync(after, CatchUpPage, stoppingToken);
                failedListings = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogCatchUpFailed(logger, seen, ex);
                if (++failedListings >= CatchUpListingAttempts && await HandEveryAccountToStreamAsync(stoppingToken))
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            if (page.Count == 0)
            {
                break;
            }

            try
            {
                raised += await monitoring.HandleAsync(page, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogCatchUpPageHandedOn(logger, page.Count, ex);
                foreach (var account in page)
                {
                    changes.Publish(account.AccountId);
                }
            }

            (after, seen) = (page[^1].AccountId, seen + page.Count);
        }

        LogCaughtUp(logger, seen, raised, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>
    /// Publishes the id of every account (in no particular order: those judged already are skipped by their revision);
    /// false when they could not all be listed.
    /// </summary>
    private async Task<bool> HandEveryAccountToStreamAsync(CancellationToken stoppingToken)
    {
        var handed = 0;
        try
        {
            await foreach (var accountId in directory.ListAccountIdsAsync(stoppingToken))
            {
                changes.Publish(accountId);
                handed++;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogCatchUpFailed(logger, handed, ex);
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        LogCatchUpHandedToStream(logger, handed);
        return true;
    }

    /// <summary>
    /// Judges the accounts the stream names, each on its newest stored version, a page at a time (so that no more than a
    /// page of documents is held beside the store's). An account that cannot be read is put back alone, and the rest of its
    /// page judged. A page that fails is put back and tried again after the others: the
    /// stream hands the same ids back in the same order, so a page of an account that always fails must not end the pass,
    /// or the pages after it would never be judged.
    /// </summary>
    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            IReadOnlyList<string> changed;
            try
            {
                changed = await changes.ReadAsync(Gather, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var failed = false;
            for (var next = 0; next < changed.Count;)
            {
                var taken = Math.Min(AccountChangeStream.ReadPage, changed.Count - next);
                try
                {
                    (var accounts, taken, var unread) = await AccountChangeStream.ReadNewestAsync(store, changed, next, stoppingToken);
                    if (unread.Count > 0)
                    {
                        // Put back alone: the others of their page are judged.
                        LogUnread(logger, unread.Count, unread[0].AccountId, unread[0].Fault);
                        foreach (var (accountId, _) in unread)
                        {
                            changes.Publish(accountId);
                        }

                        failed = true;
                    }

                    await monitoring.HandleAsync(accounts, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    LogFailed(logger, taken, ex);
                    for (var i = next; i < next + taken; i++)
                    {
                        changes.Publish(changed[i]);
                    }

                    failed = true;
                }

                next += taken;
            }

            if (failed)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Monitoring caught up with the store at start: {Accounts} account(s) looked at, {Raised} alert(s) raised, in {Milliseconds} ms")]
    private static partial void LogCaughtUp(ILogger logger, int accounts, int raised, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Monitoring's catch-up at start could not list accounts after {Accounts} account(s); retrying")]
    private static partial void LogCatchUpFailed(ILogger logger, int accounts, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Monitoring's catch-up at start could not list a page of accounts: the ids of all {Accounts} account(s) are handed to the changed accounts, each read on its own")]
    private static partial void LogCatchUpHandedToStream(ILogger logger, int accounts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Monitoring's catch-up at start could not judge a page of {Accounts} account(s); they are tried again with the changed accounts, and the catch-up goes on")]
    private static partial void LogCatchUpPageHandedOn(ILogger logger, int accounts, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Monitoring could not read {Accounts} changed account(s), the first {AccountId}; retrying them")]
    private static partial void LogUnread(ILogger logger, int accounts, string accountId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Monitoring of {Accounts} changed account(s) failed; retrying")]
    private static partial void LogFailed(ILogger logger, int accounts, Exception exception);
}
