using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.CreditControl;

/// <summary>
/// Credit control for switches: authorize, interim, terminate, and the sweep that releases expired
/// reservations. Each step is one conditional write of the account document.
/// </summary>
public sealed class CreditControlService(
    IAccountStore accounts,
    ISessionIndex sessions,
    RateDeckCache decks,
    TimeProvider clock,
    CreditControlOptions options)
{
    private readonly CreditControlRules _rules = new(options);
    private readonly AccountUpdater _updater = new(accounts, options);

    public async Task<Outcome<GrantAnswer>> AuthorizeAsync(AuthorizeRequest request, CancellationToken cancellationToken)
    {
        var owner = await sessions.GetOrAddAsync(request.SessionId, request.AccountId, cancellationToken);
        if (owner != request.AccountId)
        {
            return OutcomeError.Conflict($"session '{request.SessionId}' belongs to another account");
        }

        var decision = await _updater.UpdateAsync(
            request.AccountId,
            async account => _rules.Authorize(account, await DeckOfAsync(account, cancellationToken), request, clock.GetUtcNow()),
            cancellationToken);
        return ToOutcome(decision);
    }

    public async Task<Outcome<GrantAnswer>> InterimAsync(InterimRequest request, CancellationToken cancellationToken)
    {
        if (await sessions.FindAccountAsync(request.SessionId, cancellationToken) is not { } accountId)
        {
            return OutcomeError.NotFound($"session '{request.SessionId}' was never authorized");
        }

        var decision = await _updater.UpdateAsync(
            accountId,
            async account =>
            {
                if (account is null)
                {
                    return Decision.Failed<GrantAnswer>(OutcomeError.NotFound($"account '{accountId}' of session '{request.SessionId}' no longer exists"));
                }

                return !account.Sessions.ContainsKey(request.SessionId) && await sessions.FindClosedAsync(request.SessionId, cancellationToken) is not null
                    ? Decision.Failed<GrantAnswer>(OutcomeError.Conflict($"session '{request.SessionId}' is already terminated"))
                    : _rules.Interim(account, request, clock.GetUtcNow());
            },
            cancellationToken);
        return ToOutcome(decision);
    }

    public async Task<Outcome<TerminateAnswer>> TerminateAsync(TerminateRequest request, CancellationToken cancellationToken)
    {
        var accountId = await sessions.FindAccountAsync(request.SessionId, cancellationToken);
        if (accountId is null && request.Call is { } call)
        {
            accountId = await sessions.GetOrAddAsync(request.SessionId, call.AccountId, cancellationToken);
        }

        if (accountId is null)
        {
            return OutcomeError.NotFound(
                $"session '{request.SessionId}' was never authorized; send accountId, calledNumber and startTime with the terminate to charge it now, or its CDR will charge it");
        }

        Session? terminated = null;
        var decision = await _updater.UpdateAsync(
            accountId,
            async account =>
            {
                var now = clock.GetUtcNow();
                terminated = null;
                if (account is null)
                {
                    return Decision.Failed<TerminateAnswer>(OutcomeError.NotFound($"account '{accountId}' of session '{request.SessionId}' does not exist"));
                }

                if (!account.Sessions.ContainsKey(request.SessionId))
                {
                    // Terminated long enough ago to have left the document: its history answers the replay.
                    if (await sessions.FindClosedAsync(request.SessionId, cancellationToken) is { } closed)
                    {
                        return Decision.Unchanged(closed.Answer);
                    }

                    if (request.Call is { } unauthorized)
                    {
                        return Remember(_rules.TerminateUnauthorized(account, await DeckOfAsync(account, cancellationToken), request, unauthorized, now));
                    }
                }

                return Remember(_rules.Terminate(account, request, now));

                Decision<TerminateAnswer> Remember(Decision<TerminateAnswer> d)
                {
                    terminated = (d.Next ?? account).Sessions.GetValueOrDefault(request.SessionId);
                    return d;
                }
            },
            cancellationToken);

        // The history record follows the money; a replay writes it again, which heals a crash in between.
        if (decision.Answer is not null && terminated?.TerminateAnswer is not null)
        {
            await sessions.RecordClosedAsync(ClosedSession.Of(accountId, terminated), cancellationToken);
        }

        return ToOutcome(decision);
    }

    /// <summary>
    /// Releases every reservation whose validity and grace have passed, and drops expired sessions past their
    /// retention; returns on how many accounts a reservation was released.
    /// </summary>
    public async Task<int> ReleaseExpiredAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var changed = 0;
        await foreach (var accountId in accounts.FindExpiringAsync(now, cancellationToken))
        {
            var decision = await _updater.UpdateAsync(
                accountId,
                account => account is not null && _rules.ReleaseExpired(account, clock.GetUtcNow()) is { } next
                    ? Decision.Changed(next, new SweepCount(account.ActiveSessions))
                    : Decision.Unchanged(new SweepCount(0)),
                cancellationToken);
            changed += decision.Next is { } next && next.ActiveSessions < decision.Answer!.Before ? 1 : 0;
        }

        return changed;
    }

    private ValueTask<RateDeck?> DeckOfAsync(AccountState? account, CancellationToken cancellationToken) =>
        account is null ? ValueTask.FromResult<RateDeck?>(null) : decks.GetAsync(account.Settings.RateDeckId, cancellationToken);

    private static Outcome<T> ToOutcome<T>(Decision<T> decision)
        where T : class =>
        decision.Error is { } error ? error : decision.Answer!;

    private sealed record SweepCount(int Before);
}
