using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.CreditControl;

/// <summary>
/// The credit-control rules as pure functions of (account document, request, now): each returns the next
/// document (null when nothing changes) and the answer. The service stores the document with one
/// conditional write; a conflict re-reads and calls the rule again.
/// </summary>
public sealed class CreditControlRules(CreditControlOptions options)
{
    public Decision<GrantAnswer> Authorize(AccountState? account, RateDeck? deck, AuthorizeRequest request, DateTimeOffset now)
    {
        if (account is null)
        {
            return Deny(request.SessionId, ResultCode.AccountNotFound, "");
        }

        // Spend of a period that has ended no longer counts against a post-paid limit.
        account = account.RollPeriod(now);
        var currency = account.Settings.Currency.Code;
        if (account.Sessions.TryGetValue(request.SessionId, out var existing))
        {
            return existing.Fingerprint == request.Fingerprint
                ? Decision.Unchanged<GrantAnswer>(existing.AuthorizeAnswer)
                : Decision.Failed<GrantAnswer>(OutcomeError.Conflict($"session '{request.SessionId}' was already authorized with different parameters"));
        }

        if (account.Status == AccountStatus.Suspended)
        {
            return Deny(request.SessionId, ResultCode.AccountSuspended, currency);
        }

        var start = request.StartTime ?? now;
        var row = deck?.Find(request.CalledNumber, start);
        if (row is null)
        {
            return Deny(request.SessionId, ResultCode.DestinationNotRated, currency);
        }

        var requested = Quota(request.RequestedSeconds);
        var tariff = row.Tariff;
        var granted = account.Available is { } available ? Rater.AffordableSeconds(tariff, available, requested) : requested;
        if (granted == 0 && requested > 0)
        {
            return Deny(request.SessionId, ResultCode.CreditLimitReached, currency, tariff.RatePerMinute, account.DisplayAvailable);
        }

        // A request for 0 seconds opens the session with nothing reserved (a switch that reports use only).
        var reserved = Rater.Charge(tariff, Rater.BilledSeconds(granted, answered: true, tariff));
        var answer = new GrantAnswer(
            request.SessionId, ResultCode.Success, granted, Validity(granted), granted < requested, reserved, tariff.RatePerMinute, currency,
            account.DisplayAvailable - reserved);
        var next = account.WithSession(new Session
        {
            SessionId = request.SessionId,
            Fingerprint = request.Fingerprint,
            StartTime = start,
            Prefix = row.Prefix,
            Destination = row.Destination,
            Tariff = tariff,
            Reserved = reserved,
            GrantedSeconds = granted,
            ExpiresAt = ExpiryFrom(now, granted),
            AuthorizeAnswer = answer,
        });
        return Decision.Changed(next, answer);
    }

    public Decision<GrantAnswer> Interim(AccountState account, InterimRequest request, DateTimeOffset now)
    {
        if (!account.Sessions.TryGetValue(request.SessionId, out var session))
        {
            return Decision.Failed<GrantAnswer>(OutcomeError.NotFound($"session '{request.SessionId}' is not known on account '{account.AccountId}'"));
        }

        if (session.Status == SessionStatus.Terminated)
        {
            return Decision.Failed<GrantAnswer>(OutcomeError.Conflict($"session '{request.SessionId}' is already terminated"));
        }

        if (request.RequestNumber == session.LastRequestNumber && session.LastInterimAnswer is { } stored)
        {
            return Decision.Unchanged(stored);
        }

        if (request.RequestNumber <= session.LastRequestNumber)
        {
            return Decision.Failed<GrantAnswer>(OutcomeError.Conflict(
                $"request number {request.RequestNumber} is out of sequence: the last request of session '{request.SessionId}' was {session.LastRequestNumber}"));
        }

        var (committed, usedCharge) = CommitUse(account, session, request.UsedSeconds, completesCall: false, now);
        var requested = Quota(request.RequestedSeconds);
        var tariff = session.Tariff;
        var used = session.UsedSeconds + request.UsedSeconds;
        int granted;
        ResultCode code;
        if (committed.Status == AccountStatus.Suspended)
        {
            (granted, code) = (0, ResultCode.AccountSuspended);
        }
        else
        {
            granted = committed.Available is { } available
                ? Math.Max(0, Rater.AffordableSeconds(tariff, available + usedCharge, used + requested) - used)
                : requested;
            code = granted > 0 || requested == 0 ? ResultCode.Success : ResultCode.CreditLimitReached;
        }

        var reserved = granted == 0 ? 0m : Rater.Charge(tariff, Rater.BilledSeconds(used + granted, answered: true, tariff)) - usedCharge;
        var updated = session with
        {
            Status = SessionStatus.Active,
            UsedSeconds = used,
            CommittedCharge = usedCharge,
            Reserved = reserved,
            GrantedSeconds = granted,
            LastRequestNumber = request.RequestNumber,
            ExpiresAt = ExpiryFrom(now, granted),
        };
        var next = committed.WithSession(updated);
        var answer = new GrantAnswer(request.SessionId, code, granted, Validity(granted), granted < requested, reserved, tariff.RatePerMinute, account.Settings.Currency.Code, next.DisplayAvailable);
        return Decision.Changed(next.WithSession(updated with { LastInterimAnswer = answer }), answer);
    }

    public Decision<TerminateAnswer> Terminate(AccountState account, TerminateRequest request, DateTimeOffset now)
    {
        if (!account.Sessions.TryGetValue(request.SessionId, out var session))
        {
            return Decision.Failed<TerminateAnswer>(OutcomeError.NotFound($"session '{request.SessionId}' is not known on account '{account.AccountId}'"));
        }

        if (session.TerminateAnswer is { } stored)
        {
            return Decision.Unchanged(stored);
        }

        var (committed, charge) = CommitUse(account, session, request.UsedSeconds, completesCall: true, now);
        var total = session.UsedSeconds + request.UsedSeconds;
        var billed = Rater.BilledSeconds(total, answered: true, session.Tariff);
        var answer = new TerminateAnswer(request.SessionId, ResultCode.Success, total, billed, charge, account.Settings.Currency.Code, committed.Balance);
        var closed = session with
        {
            Status = SessionStatus.Terminated,
            UsedSeconds = total,
            CommittedCharge = charge,
            Reserved = 0m,
            GrantedSeconds = 0,
            LastRequestNumber = Math.Max(session.LastRequestNumber, request.RequestNumber),
            ClosedAt = now,
            TerminateAnswer = answer,
        };
        return Decision.Changed(committed.WithSession(closed, options.ClosedSessionsKept), answer);
    }

    /// <summary>
    /// A terminate for a call never authorized here: the call still happened and is charged from what the
    /// terminate says, at the tariff in force at its start. The session is recorded as terminated.
    /// </summary>
    public Decision<TerminateAnswer> TerminateUnauthorized(AccountState account, RateDeck? deck, TerminateRequest request, UnauthorizedCall call, DateTimeOffset now)
    {
        var row = deck?.Find(call.CalledNumber, call.StartTime);
        if (row is null)
        {
            return Decision.Failed<TerminateAnswer>(OutcomeError.Invalid($"session '{request.SessionId}' was never authorized and its destination is not rated"));
        }

        var placeholder = new GrantAnswer(request.SessionId, ResultCode.Success, 0, 0, false, 0m, row.Tariff.RatePerMinute, account.Settings.Currency.Code, null);
        var session = new Session
        {
            SessionId = request.SessionId,
            Fingerprint = string.Join('|', call.AccountId, call.CallingNumber, call.CalledNumber, call.StartTime.UtcTicks),
            StartTime = call.StartTime,
            Prefix = row.Prefix,
            Destination = row.Destination,
            Tariff = row.Tariff,
            ExpiresAt = now,
            AuthorizeAnswer = placeholder,
        };
        return Terminate(account.WithSession(session), request, now);
    }

    /// <summary>Releases the reservations of sessions whose validity and grace have passed.</summary>
    public AccountState? ReleaseExpired(AccountState account, DateTimeOffset now)
    {
        if (account.NextExpiry is not { } next || next > now)
        {
            return null;
        }

        var updated = account;
        foreach (var session in account.Sessions.Values)
        {
            if (session.Status == SessionStatus.Active && session.ExpiresAt <= now)
            {
                updated = updated.WithSession(session with { Status = SessionStatus.Expired, Reserved = 0m, GrantedSeconds = 0, ClosedAt = now });
            }
        }

        return updated.Tidy(now, options.ClosedSessionRetention);
    }

    /// <summary>
    /// Commits the use reported so far as the rating of a whole call of that length, less what was already
    /// committed; releases the session's reservation. <paramref name="completesCall"/> counts the call once.
    /// </summary>
    private static (AccountState Account, decimal UsedCharge) CommitUse(AccountState account, Session session, int usedSeconds, bool completesCall, DateTimeOffset now)
    {
        var used = session.UsedSeconds + usedSeconds;
        var billed = Rater.BilledSeconds(used, answered: true, session.Tariff);
        var usedCharge = Rater.Charge(session.Tariff, billed);
        var alreadyBilled = Rater.BilledSeconds(session.UsedSeconds, answered: true, session.Tariff);
        var line = new ChargeLine(usedCharge - session.CommittedCharge, billed - alreadyBilled, completesCall ? 1 : 0, session.Destination, session.StartTime);
        var released = account.WithSession(session with { Reserved = 0m });
        return (released.Commit(line, now), usedCharge);
    }

    private int Quota(int? requested) => Math.Min(requested ?? options.DefaultQuotaSeconds, options.MaxQuotaSeconds);

    private int Validity(int granted) => granted == 0 ? 0 : Math.Max(granted, options.ValiditySeconds);

    private DateTimeOffset ExpiryFrom(DateTimeOffset now, int granted) =>
        now + TimeSpan.FromSeconds(Math.Max(granted, options.ValiditySeconds)) + options.ExpiryAfterValidity;

    private static Decision<GrantAnswer> Deny(string sessionId, ResultCode code, string currency, decimal rate = 0m, decimal? available = null) =>
        Decision.Unchanged(new GrantAnswer(sessionId, code, 0, 0, true, 0m, rate, currency, available));
}

/// <summary>What a rule decided: the next account document (null: unchanged) and the answer, or an error.</summary>
public readonly record struct Decision<T>(AccountState? Next, T? Answer, OutcomeError? Error)
    where T : class;

public static class Decision
{
    public static Decision<T> Changed<T>(AccountState next, T answer) where T : class => new(next, answer, null);

    public static Decision<T> Unchanged<T>(T answer) where T : class => new(null, answer, null);

    public static Decision<T> Failed<T>(OutcomeError error) where T : class => new(null, null, error);
}
