using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Diagnostics;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Validation;

namespace ServerlessBilling.Core.CreditControl;

/// <summary>
/// Credit control for switches: authorize, interim, terminate, and the sweep that releases expired
/// reservations. Each step is one conditional write of the account document, within the store deadline.
/// A session's durable record (the session history) is written before the write that lets the document forget
/// it, so a replay long after the fact is answered from it and changes nothing.
/// </summary>
public sealed partial class CreditControlService(
    IAccountStore accounts,
    AccountUpdater updater,
    ISessionIndex sessions,
    RateDeckCache decks,
    TimeProvider clock,
    CreditControlOptions options,
    ILogger<CreditControlService>? logger = null)
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;
    private readonly CreditControlRules _rules = new(options);

    /// <summary>The most one account's refusals at the open-session bound are logged: once in this time.</summary>
    public static readonly TimeSpan OpenSessionBoundWarningInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The most accounts <see cref="_openSessionBoundWarnings"/> holds: past it, entries older than
    /// <see cref="OpenSessionBoundWarningInterval"/> (which no longer hold a warning back) are dropped, and while it is
    /// full of recent ones a further account's refusal is not logged (its answer still says why).
    /// </summary>
    internal const int MaxWarnedAccounts = 1_024;

    /// <summary>Per account refused at the bound: when that was last logged (only the last interval matters).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _openSessionBoundWarnings = new(StringComparer.Ordinal);

    /// <summary>How many accounts the warning table holds now (for tests).</summary>
    internal int WarnedAccounts => _openSessionBoundWarnings.Count;

    /// <summary>How many times one step lets go of a claim by an account that does not exist and asks again (<see cref="SessionClaims"/>).</summary>
    private const int MaxReclaims = 3;

    // Each step runs as static lambdas over explicit state: no closure or delegate per request, and no task of its own
    // below the one the caller awaits when the store answers at once (the embedded stores).
    public Task<Outcome<GrantAnswer>> AuthorizeAsync(AuthorizeRequest request, CancellationToken cancellationToken) =>
        StoreDeadline.RunAsync(static (s, ct) => s.Service.AuthorizeCoreAsync(s.Request, ct), (Service: this, Request: request), options.StoreDeadline, clock, "authorize", cancellationToken);

    public Task<Outcome<GrantAnswer>> InterimAsync(InterimRequest request, CancellationToken cancellationToken) =>
        StoreDeadline.RunAsync(static (s, ct) => s.Service.InterimCoreAsync(s.Request, ct), (Service: this, Request: request), options.StoreDeadline, clock, "interim", cancellationToken);

    public Task<Outcome<TerminateAnswer>> TerminateAsync(TerminateRequest request, CancellationToken cancellationToken) =>
        StoreDeadline.RunAsync(static (s, ct) => s.Service.TerminateCoreAsync(s.Request, ct), (Service: this, Request: request), options.StoreDeadline, clock, "terminate", cancellationToken);

    private async ValueTask<Outcome<GrantAnswer>> AuthorizeCoreAsync(AuthorizeRequest request, CancellationToken ct)
    {
        if (request.StartTime is { } start && Bounds.CheckNotAhead(start, Now, "startTime") is { } ahead)
        {
            return OutcomeError.Invalid(ahead);
        }

        var claim = await sessions.ClaimNowAsync(request.SessionId, request.AccountId, ct);
        for (var attempt = 0; claim.AccountId != request.AccountId; attempt++)
        {
            // Held by another account. A claim in the name of an account that does not exist holds nothing (SessionClaims):
            // it is let go and the id claimed again. The answer to an unknown account is ACCOUNT_NOT_FOUND, whoever holds the id.
            if (attempt == MaxReclaims || !await sessions.ReleaseIfOwnerAbsentAsync(accounts, request.SessionId, claim.AccountId, ct))
            {
                return await accounts.GetAsync(request.AccountId, ct) is null
                    ? ToOutcome(_rules.Authorize(null, null, request, Now))
                    : OutcomeError.Conflict($"session '{request.SessionId}' belongs to another account");
            }

            claim = await sessions.ClaimNowAsync(request.SessionId, request.AccountId, ct);
        }

        var decision = await updater.UpdateAsync(
            request.AccountId,
            static async (account, s) =>
            {
                // A session id seen before that the document no longer holds may have been settled long ago.
                var history = account is not null && !s.IsNew && !account.Sessions.ContainsKey(s.Request.SessionId)
                    ? await s.Service.HistoryOfAsync(s.Request.SessionId, account.AccountId, s.Token)
                    : null;
                return s.Service._rules.Authorize(account, await s.Service.DeckOfAsync(account, s.Token), s.Request, s.Service.Now, history);
            },
            (Service: this, Request: request, claim.IsNew, Token: ct),
            ct);
        if (decision.Answer is { ResultCode: ResultCode.AccountNotFound })
        {
            await ReleaseUnknownAsync(request, ct);
        }

        if (decision.AtOpenSessionBound is { } bound)
        {
            WarnAtOpenSessionBound(request, bound);
        }

        return ToOutcome(decision);
    }

    /// <summary>
    /// No account, nothing reserved, nothing to replay: the id is left free for the call's real account. An account created
    /// since the answer was decided keeps its claim, as any account that exists does (a repeat of this authorize may have
    /// opened the session on it: letting the claim go would leave that call unroutable, and free for another account to
    /// open it too); <see cref="SessionClaims"/> reads it again after the release for one created in between.
    /// </summary>
    private async ValueTask ReleaseUnknownAsync(AuthorizeRequest request, CancellationToken ct) =>
        await sessions.ReleaseIfOwnerAbsentAsync(accounts, request.SessionId, request.AccountId, ct);

    private async ValueTask<Outcome<GrantAnswer>> InterimCoreAsync(InterimRequest request, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (await sessions.FindAccountNowAsync(request.SessionId, ct) is not { } accountId)
            {
                return OutcomeError.NotFound($"session '{request.SessionId}' was never authorized");
            }

            var decision = await updater.UpdateAsync(
                accountId,
                static async (account, s) => account is null
                    ? Decision.Failed<GrantAnswer>(OutcomeError.NotFound($"account '{s.AccountId}' of session '{s.Request.SessionId}' does not exist"))
                    : s.Service._rules.Interim(account, s.Request, s.Service.Now, await s.Service.HistoryUnlessHeldAsync(account, s.Request.SessionId, s.Token)),
                (Service: this, Request: request, AccountId: accountId, Token: ct),
                ct);
            if (!await ClaimWasEmptyAsync(decision.Error, request.SessionId, accountId, attempt, ct))
            {
                return ToOutcome(decision);
            }
        }
    }

    private async ValueTask<Outcome<TerminateAnswer>> TerminateCoreAsync(TerminateRequest request, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (await sessions.FindAccountNowAsync(request.SessionId, ct) is not { } accountId)
            {
                return OutcomeError.NotFound($"session '{request.SessionId}' was never authorized; its CDR charges the call");
            }

            var decision = await TerminateOnAsync(accountId, request, ct);
            if (!await ClaimWasEmptyAsync(decision.Error, request.SessionId, accountId, attempt, ct))
            {
                return ToOutcome(decision);
            }
        }
    }

    /// <summary>
    /// After a step on the account the index named found nothing (404): when that account does not exist, its claim was
    /// one an authorize answered ACCOUNT_NOT_FOUND left (or this process remembered before it was let go); it is let go,
    /// and true says to ask the index again.
    /// </summary>
    private async ValueTask<bool> ClaimWasEmptyAsync(OutcomeError? error, string sessionId, string accountId, int attempt, CancellationToken ct) =>
        attempt < MaxReclaims && error is { Kind: OutcomeErrorKind.NotFound } && await sessions.ReleaseIfOwnerAbsentAsync(accounts, sessionId, accountId, ct);

    private async ValueTask<Decision<TerminateAnswer>> TerminateOnAsync(string accountId, TerminateRequest request, CancellationToken ct)
    {
        var decision = await updater.UpdateAsync(
            accountId,
            static async (account, s) =>
            {
                if (account is null)
                {
                    return Decision.Failed<TerminateAnswer>(OutcomeError.NotFound($"account '{s.AccountId}' of session '{s.Request.SessionId}' does not exist"));
                }

                var decided = s.Service._rules.Terminate(account, s.Request, s.Service.Now, await s.Service.HistoryUnlessHeldAsync(account, s.Request.SessionId, s.Token));
                if (decided.Next?.Sessions.GetValueOrDefault(s.Request.SessionId) is { TerminateAnswer: not null } closed)
                {
                    // Recorded before the write: once the document lets the session go, its history answers.
                    await s.Service.RecordClosedAsync(new ClosedSession(s.AccountId, closed), s.Token);
                }
                else if (decided.Next is null)
                {
                    // Closed in the document already: a replay, or this terminate lost its write to the call's CDR in another
                    // process after a run of this rule recorded its own closing (see SessionHistory).
                    await s.Service.RecordAsHeldAsync(account, s.Request.SessionId, s.Token);
                }

                return decided;
            },
            (Service: this, Request: request, AccountId: accountId, Token: ct),
            ct);
        if (decision.Next is not null && decision.Answer is { } charged)
        {
            // Only the write that closed the session: a replayed terminate answers the same charge but moves nothing.
            BillingMetrics.Charged(charged.Charge, charged.Currency, "session");
        }

        if (decision.Next is not null && decision.Answer is { OverrunSeconds: > 0 } overran)
        {
            // Use beyond the grant: a buggy or hostile switch, or a cut-off that came late. Monitoring alerts on it.
            LogOverrun(_logger, request.SessionId, accountId, overran.OverrunSeconds, overran.TotalSeconds, overran.BilledSeconds);
        }

        return decision;
    }

    /// <summary>
    /// Releases every reservation whose validity and grace have passed, and drops expired sessions past their
    /// retention (recording them in the history first); returns on how many accounts a reservation was released.
    /// An account that cannot be swept (its write fails: a throttled or unavailable partition, a document the store
    /// refuses) holds back no other: the others are swept, and then the first fault is thrown, so that the sweep still
    /// fails (the next tick tries that account again).
    /// </summary>
    public Task<int> ReleaseExpiredAsync(CancellationToken cancellationToken) =>
        StoreDeadline.RunAsync(async ct =>
        {
            var changed = 0;
            List<(string AccountId, Exception Fault)>? failed = null;
            await foreach (var accountId in accounts.FindExpiringAsync(clock.GetUtcNow(), ct))
            {
                try
                {
                    changed += await SweepAccountAsync(accountId, ct) ? 1 : 0;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    (failed ??= []).Add((accountId, ex));
                }
            }

            if (failed is [var (firstId, first), ..])
            {
                throw new StoreUnavailableException(
                    $"the expiry sweep released reservations on {changed} account(s) but could not sweep {failed.Count}, first '{firstId}': {first.Message}", first)
                { Store = (first as StoreUnavailableException)?.Store };
            }

            return changed;
        }, options.BatchDeadline, clock, "sweep", cancellationToken);

    /// <summary>Sweeps one account; true when a reservation of it was released.</summary>
    private async Task<bool> SweepAccountAsync(string accountId, CancellationToken ct)
    {
        HashSet<string>? recorded = null; // the sessions a run of the rule recorded as dropped (it runs again on a conflict)
        var decision = await updater.UpdateAsync(
            accountId,
            async account =>
            {
                if (account is not null && recorded is not null)
                {
                    // An earlier run lost its write: what it recorded may have been closed by a CDR or terminate meanwhile.
                    await sessions.RecordAsHeldAsync(account, recorded, ct);
                }

                if (account is null || _rules.ReleaseExpired(account, clock.GetUtcNow()) is not { } next)
                {
                    return Decision.Unchanged(new SweepCount(0));
                }

                foreach (var dropped in account.Sessions.Values.Where(s => !next.Sessions.ContainsKey(s.SessionId) && s.TerminateAnswer is null))
                {
                    await sessions.RecordClosedAsync(new ClosedSession(accountId, dropped), ct);
                    (recorded ??= new(StringComparer.Ordinal)).Add(dropped.SessionId);
                }

                return Decision.Changed(next, new SweepCount(account.ActiveSessions));
            },
            ct);
        return decision.Next is { } written && written.ActiveSessions < decision.Answer!.Before;
    }

    private DateTimeOffset Now => clock.GetUtcNow();

    private Task RecordClosedAsync(ClosedSession closed, CancellationToken cancellationToken) => sessions.RecordClosedAsync(closed, cancellationToken);

    private ValueTask RecordAsHeldAsync(AccountState account, string sessionId, CancellationToken cancellationToken) => sessions.RecordAsHeldAsync(account, [sessionId], cancellationToken);

    private ValueTask<ClosedSession?> HistoryUnlessHeldAsync(AccountState account, string sessionId, CancellationToken cancellationToken) =>
        account.Sessions.ContainsKey(sessionId) ? ValueTask.FromResult<ClosedSession?>(null) : new(HistoryOfAsync(sessionId, account.AccountId, cancellationToken));

    private async Task<ClosedSession?> HistoryOfAsync(string sessionId, string accountId, CancellationToken cancellationToken) =>
        await sessions.FindClosedAsync(sessionId, cancellationToken) is { } closed && closed.AccountId == accountId ? closed : null;

    private ValueTask<RateDeck?> DeckOfAsync(AccountState? account, CancellationToken cancellationToken) =>
        account is null ? ValueTask.FromResult<RateDeck?>(null) : decks.GetAsync(account.Settings.RateDeckId, cancellationToken);

    private static Outcome<T> ToOutcome<T>(Decision<T> decision)
        where T : class =>
        decision.Error is { } error ? error : decision.Answer!;

    private sealed record SweepCount(int Before);

    /// <summary>
    /// Tells the operator why an account's calls are refused CREDIT_LIMIT_REACHED while credit is left: it holds the most
    /// open sessions it may. A switch retrying at call rate would log at call rate, so an account is named at most once
    /// per <see cref="OpenSessionBoundWarningInterval"/>. The rules stay pure: the decision says it, the service logs.
    /// </summary>
    private void WarnAtOpenSessionBound(AuthorizeRequest request, OpenSessionBound bound)
    {
        // Of refusals at once, the one that records the time logs.
        var now = clock.GetUtcNow();
        var due = _openSessionBoundWarnings.TryGetValue(request.AccountId, out var last)
            ? now - last >= OpenSessionBoundWarningInterval && _openSessionBoundWarnings.TryUpdate(request.AccountId, now, last)
            : RoomToWarn(now) && _openSessionBoundWarnings.TryAdd(request.AccountId, now);
        if (due)
        {
            LogOpenSessionBound(
                _logger, request.SessionId, request.AccountId, bound.Open, "CreditControl:MaxOpenSessionsPerAccount", options.MaxOpenSessionsPerAccount, bound.BySize ? "the size of its open sessions" : "their count", (int)OpenSessionBoundWarningInterval.TotalSeconds);
        }
    }

    /// <summary>
    /// Whether the warning table may take another account: accounts refused once and never again would otherwise stay in
    /// it for the life of the process. At the bound, the entries past the interval go (an entry that old holds nothing back).
    /// </summary>
    private bool RoomToWarn(DateTimeOffset now)
    {
        if (_openSessionBoundWarnings.Count < MaxWarnedAccounts)
        {
            return true;
        }

        foreach (var entry in _openSessionBoundWarnings)
        {
            if (now - entry.Value >= OpenSessionBoundWarningInterval)
            {
                _openSessionBoundWarnings.TryRemove(entry);
            }
        }

        return _openSessionBoundWarnings.Count < MaxWarnedAccounts;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Authorize of session {SessionId} refused CREDIT_LIMIT_REACHED: account {AccountId} holds {OpenSessions} open sessions, at the bound of {Setting} ({MaxOpenSessions}) by {Measure}, whatever its credit; its switch may end calls, or wait for lapsed ones to be dropped. Further refusals of this account at the bound are logged at most once in {IntervalSeconds} s")]
    private static partial void LogOpenSessionBound(ILogger logger, string sessionId, string accountId, int openSessions, string setting, int maxOpenSessions, string measure, int intervalSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId} of account {AccountId} reported {OverrunSeconds} s beyond its grants ({TotalSeconds} s in all, {BilledSeconds} s billed)")]
    private static partial void LogOverrun(ILogger logger, string sessionId, string accountId, int overrunSeconds, int totalSeconds, int billedSeconds);
}
