using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBilling.Core.Diagnostics;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// Applies a rule to an account document with one conditional write: read, decide, write if the ETag is
/// unchanged; on a conflict read again and decide again, with jittered back-off and a bound. Writers in this
/// process queue per account (striped locks), so they do not collide with each other, for at most
/// <see cref="MaxQueueWait"/>; the ETag still arbitrates, between processes and past that wait. One instance serves
/// every service that writes accounts.
/// </summary>
public sealed partial class AccountUpdater(IAccountStore store, AccountWriteOptions options, ILogger<AccountUpdater>? logger = null)
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    private const int Stripes = 4096;
    private static readonly SemaphoreSlim[] Locks = Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public Task<Decision<T>> UpdateAsync<T>(string accountId, Func<AccountState?, Decision<T>> decide, CancellationToken cancellationToken)
        where T : class =>
        UpdateAsync(accountId, account => ValueTask.FromResult(decide(account)), cancellationToken);

    /// <summary>As above, for rules that need data loaded for the account they see (its rate deck).</summary>
    public async Task<Decision<T>> UpdateAsync<T>(string accountId, Func<AccountState?, ValueTask<Decision<T>>> decide, CancellationToken cancellationToken)
        where T : class =>
        await UpdateAsync(accountId, static (account, decide) => decide(account), decide, cancellationToken);

    /// <summary>
    /// As above, for a rule that takes its <paramref name="state"/> (a static lambda: no closure per step) and a caller
    /// that can take a <see cref="ValueTask{T}"/> (the embedded stores answer at once: no task per step).
    /// </summary>
    public async ValueTask<Decision<T>> UpdateAsync<T, TState>(
        string accountId, Func<AccountState?, TState, ValueTask<Decision<T>>> decide, TState state, CancellationToken cancellationToken)
        where T : class
    {
        if (!options.SerializeWritersInProcess)
        {
            return await UpdateLockedAsync(accountId, decide, state, cancellationToken);
        }

        var gate = Locks[(StringComparer.Ordinal.GetHashCode(accountId) & int.MaxValue) % Stripes];
        var queued = await gate.WaitAsync(MaxQueueWait, cancellationToken);
        try
        {
            return await UpdateLockedAsync(accountId, decide, state, cancellationToken);
        }
        finally
        {
            if (queued)
            {
                gate.Release();
            }
        }
    }

    /// <summary>
    /// The longest a writer queues behind the writer of its account (or stripe) in this process before it goes ahead on
    /// the ETag alone, as writers in other processes always do. A writer holds its place while its rule reads other stores
    /// (a CDR step asks the usage store and the session index for the version it writes): one stalled there, say on a usage
    /// container throttled by the very burst of CDRs it ingests, held up every authorize, interim and terminate of the
    /// account until their deadline, though credit control needs none of those stores. Far above a queue's usual wait,
    /// well below the credit-control deadline; the stalled writer, once answered, finds the document changed and decides again.
    /// </summary>
    public static readonly TimeSpan MaxQueueWait = TimeSpan.FromMilliseconds(250);

    private async ValueTask<Decision<T>> UpdateLockedAsync<T, TState>(
        string accountId, Func<AccountState?, TState, ValueTask<Decision<T>>> decide, TState state, CancellationToken cancellationToken)
        where T : class
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await store.ReadForWriteAsync(accountId, cancellationToken);
            var decision = await decide(current?.Value, state);
            if (decision.Next is null)
            {
                return decision;
            }

            // Every write bumps the revision, so that change-feed readers can tell newer versions from older ones.
            var next = decision.Next.Publish((current?.Value.Revision ?? 0) + 1, current?.Value);
            var written = current is null
                ? await store.TryCreateAsync(next, cancellationToken)
                : await store.TryReplaceNowAsync(next, current.ETag, cancellationToken);
            if (written is not null)
            {
                return decision with { Next = next };
            }

            if (attempt >= options.MaxConcurrencyRetries)
            {
                LogGaveUp(_logger, accountId, attempt + 1);
                throw new StoreUnavailableException($"account '{accountId}' stayed contended after {attempt + 1} attempts") { Store = "account store" };
            }

            BillingMetrics.WriteRetried();
            LogRetry(_logger, accountId, attempt + 1);

            await BackOffAsync(attempt, cancellationToken);
        }
    }

    private static async Task BackOffAsync(int attempt, CancellationToken cancellationToken)
    {
        // Full jitter, capped at 32 ms: writers on a hot account spread out instead of colliding again.
        var delay = attempt == 0 ? 0 : Random.Shared.Next(0, (1 << Math.Min(attempt, 5)) + 1);
        if (delay == 0)
        {
            await Task.Yield();
        }
        else
        {
            await Task.Delay(delay, cancellationToken);
        }
    }

    // Each retry is routine under contention between processes (in-process writers queue instead): Debug, counted by
    // the billing.store.write_retries metric. Giving up answers 503, so it is a warning.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Account {AccountId} changed since it was read (ETag conflict); writing again after attempt {Attempt}")]
    private static partial void LogRetry(ILogger logger, string accountId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} stayed contended after {Attempts} attempts; the request is answered 503")]
    private static partial void LogGaveUp(ILogger logger, string accountId, int attempts);
}
