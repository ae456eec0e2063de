using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Validation;

namespace ServerlessBilling.Core.CreditControl;

/// <summary>
/// The credit-control rules as pure functions of (account document, request, now): each returns the next
/// document (null when nothing changes) and the answer. The service stores the document with one
/// conditional write; a conflict re-reads and calls the rule again.
/// </summary>
public sealed class CreditControlRules(CreditControlOptions options)
{
    /// <param name="history">
    /// The session's durable record when the account document no longer holds it (closed or dropped long ago): a
    /// replay is answered from it, whatever the number of sessions closed since.
    /// </param>
    public Decision<GrantAnswer> Authorize(AccountState? account, RateDeck? deck, AuthorizeRequest request, DateTimeOffset now, ClosedSession? history = null)
    {
        if (account is null)
        {
            return Deny(request.SessionId, ResultCode.AccountNotFound, "");
        }

        // Spend of a period that has ended no longer counts against a post-paid limit.
        account = account.RollPeriod(now);
        var currency = account.Settings.Currency.Code;
        var known = account.Sessions.GetValueOrDefault(request.SessionId) ?? history?.Session;
        if (known is not null)
        {
            // The contract: a repeat returns the first answer and reserves nothing more, also after the session lapsed.
            return known.Fingerprint == request.Fingerprint
                ? Decision.Unchanged<GrantAnswer>(known.AuthorizeAnswer)
                : Decision.Failed<GrantAnswer>(OutcomeError.Conflict($"session '{request.SessionId}' was already authorized with different parameters"));
        }

        // A denial reserves nothing: it tells the credit available now, whatever the reason (null only without a limit).
        if (account.Status == AccountStatus.Suspended)
        {
            return Deny(request.SessionId, ResultCode.AccountSuspended, currency, available: account.DisplayAvailable);
        }

        var start = request.StartTime ?? now;
        var row = deck?.Find(request.CalledNumber, start);
        if (row is null)
        {
            return Deny(request.SessionId, ResultCode.DestinationNotRated, currency, available: account.DisplayAvailable);
        }

        // Each open session is part of the document every step rewrites: an account may hold only so many (its switch may
        // end one, or wait for a lapsed one to be dropped). A limit of the account's, like its credit: CREDIT_LIMIT_REACHED.
        if (account.Sessions.Count - account.ClosedCount is var open
            && (open >= options.MaxOpenSessionsPerAccount || !RoomForOpenSession(account, open, request, row)))
        {
            var bySize = open < options.MaxOpenSessionsPerAccount;
            return Deny(request.SessionId, ResultCode.CreditLimitReached, currency, row.Tariff.RatePerMinute, account.DisplayAvailable, bySize ? DenialReasons.OpenSessionsSize : DenialReasons.OpenSessions)
                with { AtOpenSessionBound = new OpenSessionBound(open, bySize) };
        }

        var requested = Quota(request.RequestedSeconds);
        var tariff = row.Tariff;
        var credit = account.AvailableFor(start);
        var granted = credit is { } available ? Rater.AffordableSeconds(tariff, available, requested) : requested;
        if (granted == 0 && (requested > 0 || !FirstStepCovered(tariff, credit)))
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

    public Decision<GrantAnswer> Interim(AccountState account, InterimRequest request, DateTimeOffset now, ClosedSession? history = null)
    {
        if (!account.Sessions.TryGetValue(request.SessionId, out var session))
        {
            return history is null
                ? Decision.Failed<GrantAnswer>(OutcomeError.NotFound($"session '{request.SessionId}' is not known on account '{account.AccountId}'"))
                : Decision.Failed<GrantAnswer>(OutcomeError.Conflict(history.Answer is null
                    ? $"session '{request.SessionId}' expired and its reservation was released; its CDR charges the call"
                    : $"session '{request.SessionId}' is already terminated"));
        }

        if (session.Status == SessionStatus.Terminated)
        {
            return Decision.Failed<GrantAnswer>(OutcomeError.Conflict($"session '{request.SessionId}' is already terminated"));
        }

        if (request.RequestNumber == session.LastRequestNumber && session.LastInterimAnswer is { } stored)
        {
            return Decision.Unchanged(stored);
        }

        if (request.RequestNumber != session.LastRequestNumber + 1)
        {
            return Decision.Failed<GrantAnswer>(OutOfSequence(session, request.RequestNumber));
        }

        if (TooLong(session, request.UsedSeconds) is { } tooLong)
        {
            return Decision.Failed<GrantAnswer>(tooLong);
        }

        var (committed, used) = SessionCharging.Commit(account, session, SessionUse.Interim(account, session, request.UsedSeconds), now);
        var requested = Quota(request.RequestedSeconds);
        var tariff = session.Tariff;
        int granted;
        ResultCode code;
        if (committed.Status == AccountStatus.Suspended)
        {
            (granted, code) = (0, ResultCode.AccountSuspended);
        }
        else
        {
            var budget = committed.AvailableFor(used.StartTime) + used.CommittedCharge;
            granted = budget is { } available
                ? Math.Max(0, Rater.AffordableSeconds(tariff, available, used.UsedSeconds + requested) - used.UsedSeconds)
                : requested;

            // Asking for nothing more is a success only while the credit still covers a next second of the call.
            code = granted > 0 || (requested == 0 && (budget is not { } left || Rater.AffordableSeconds(tariff, left, used.UsedSeconds + 1) > used.UsedSeconds))
                ? ResultCode.Success
                : ResultCode.CreditLimitReached;
        }

        var reserved = granted == 0 ? 0m : Rater.Charge(tariff, Rater.BilledSeconds(used.UsedSeconds + granted, answered: true, tariff)) - used.CommittedCharge;
        var updated = used with
        {
            Status = SessionStatus.Active,
            Reserved = reserved,
            GrantedSeconds = granted,
            LastRequestNumber = request.RequestNumber,
            ExpiresAt = ExpiryFrom(now, granted),
        };
        var answer = new GrantAnswer(
            request.SessionId, code, granted, Validity(granted), granted < requested || code != ResultCode.Success, reserved, tariff.RatePerMinute, account.Settings.Currency.Code, committed.DisplayAvailableWith(updated));
        // The session stores the very answer sent, so a retry of this request gets the same bytes back, even when it
        // equals the previous answer in value but not in scale (0.00 and 0.000 compare equal as decimals).
        return Decision.Changed(committed.WithSession(updated with { LastInterimAnswer = answer }, int.MaxValue, via: updated), answer);
    }

    public Decision<TerminateAnswer> Terminate(AccountState account, TerminateRequest request, DateTimeOffset now, ClosedSession? history = null)
    {
        if (!account.Sessions.TryGetValue(request.SessionId, out var session))
        {
            return history switch
            {
                { Answer: { } answered } => Decision.Unchanged(answered),
                not null => Decision.Failed<TerminateAnswer>(OutcomeError.Conflict(
                    $"session '{request.SessionId}' expired and was released long ago; its CDR charges the call")),
                null => Decision.Failed<TerminateAnswer>(OutcomeError.NotFound(
                    $"session '{request.SessionId}' is not known on account '{account.AccountId}'; its CDR charges the call")),
            };
        }

        if (session.TerminateAnswer is { } stored)
        {
            return Decision.Unchanged(stored);
        }

        if (request.RequestNumber != session.LastRequestNumber + 1)
        {
            // Past the next number, a report is missing (an interim still on its way, or lost): closing the call now would
            // leave its use uncharged for good, since the late interim then meets a terminated session and the CDR a settled
            // one. At or below the last, the switch has not seen that interim answered, so its use counts from an earlier
            // report and would charge that interim's seconds twice. Either way the call's CDR charges it right.
            return Decision.Failed<TerminateAnswer>(OutOfSequence(session, request.RequestNumber));
        }

        if (TooLong(session, request.UsedSeconds) is { } tooLong)
        {
            return Decision.Failed<TerminateAnswer>(tooLong);
        }

        var (next, closed) = SessionCharging.Close(
            account, session, SessionUse.Terminate(account, session, request.UsedSeconds, request.RequestNumber), now, options.ClosedSessionsKept);
        return Decision.Changed(next, closed.TerminateAnswer!);
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
    /// Whether the open sessions, with the session <paramref name="adding"/> asks to open (at <paramref name="row"/>), stay within what the bound allows
    /// them of the document (<see cref="CreditControlOptions.OpenSessionUnitBytes"/> each): sessions of long or escaped
    /// ids take more. Counted only for an account holding enough open sessions for the largest to reach it.
    /// </summary>
    private bool RoomForOpenSession(AccountState account, int open, AuthorizeRequest adding, RateDeckRow row)
    {
        var room = (long)options.MaxOpenSessionsPerAccount * CreditControlOptions.OpenSessionUnitBytes;
        if ((open + 1L) * LargestStoredBytes <= room)
        {
            // The usual case, decided without measuring anything: not even the new session (its fingerprint holds a '+').
            return true;
        }

        var taken = StoredBytes(adding.SessionId, adding.Fingerprint, row.Prefix, row.Destination);
        foreach (var session in account.Sessions.Unordered)
        {
            if (session.Status != SessionStatus.Terminated)
            {
                taken += StoredBytes(session.SessionId, session.Fingerprint, session.Prefix, session.Destination);
            }
        }

        return taken <= room;
    }

    /// <summary>What an open session's fixed part takes of the document (times, amounts, its first answer's figures).</summary>
    private const int SessionBaseBytes = 600;

    /// <summary>
    /// The most <see cref="StoredBytes"/> gives, every character escaped: the longest session id three times; a fingerprint
    /// of the longest account id and numbers (and 64 for its time, seconds and separators); the longest prefix and destination.
    /// </summary>
    private const long LargestStoredBytes = SessionBaseBytes + (6L * ((3 * Cdrs.Identifiers.MaxSessionLength)
        + Cdrs.Identifiers.MaxLength + (2 * Cdrs.CdrValidation.MaxCallingNumberLength) + 64
        + Rating.CalledNumber.MaxDigits + Rating.RateDeckParser.MaxDestinationLength));

    /// <summary>
    /// About what an open session takes of the account document as the stores write it (JSON, the default escaping): its
    /// id three times (the key, the session, its first answer), its fingerprint, prefix and destination once.
    /// </summary>
    private static long StoredBytes(string sessionId, string fingerprint, string prefix, string destination) =>
        SessionBaseBytes + (3L * Escaped(sessionId)) + Escaped(fingerprint) + Escaped(prefix) + Escaped(destination);

    private static readonly System.Buffers.SearchValues<char> Unescaped =
        System.Buffers.SearchValues.Create(" !#$%()*,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>A string's length as JSON writes it: a character it escapes (non-ASCII, control, " &amp; ' &lt; &gt; + ` \) is six.</summary>
    private static int Escaped(string text)
    {
        if (!text.AsSpan().ContainsAnyExcept(Unescaped))
        {
            return text.Length;
        }

        var length = 0;
        foreach (var c in text)
        {
            length += c is >= ' ' and <= '~' and not ('"' or '&' or '\'' or '<' or '>' or '+' or '`' or '\\') ? 1 : 6;
        }

        return length;
    }

    private static OutcomeError OutOfSequence(Session session, int requestNumber) => OutcomeError.Conflict(
        $"request number {requestNumber} is out of sequence: the last request of session '{session.SessionId}' was {session.LastRequestNumber}, so the next must be {session.LastRequestNumber + 1}");

    /// <summary>A session's reports may not add up to more than the longest call; checked before any arithmetic.</summary>
    private static OutcomeError? TooLong(Session session, int usedSeconds) =>
        usedSeconds is < 0 or > Bounds.MaxReportSeconds
            ? OutcomeError.Invalid(Bounds.CheckReportSeconds(usedSeconds, "usedSeconds")!)
            : (long)session.ReportedSeconds + usedSeconds > Bounds.MaxCallSeconds
                ? OutcomeError.Invalid($"session '{session.SessionId}' would report more than {Bounds.MaxCallSeconds} seconds (7 days) in all")
                : null;

    /// <summary>
    /// Whether <paramref name="available"/> credit (null: no limit) pays for the first billing step of a call: a request
    /// for no seconds opens or keeps a session only then, since a switch that only reports use carries the call anyway.
    /// </summary>
    private static bool FirstStepCovered(in Tariff tariff, decimal? available) =>
        available is not { } left || Rater.AffordableSeconds(tariff, left, 1) > 0;

    private int Quota(int? requested) => Math.Min(requested ?? options.DefaultQuotaSeconds, options.MaxQuotaSeconds);

    private int Validity(int granted) => granted == 0 ? 0 : Math.Max(granted, options.ValiditySeconds);

    private DateTimeOffset ExpiryFrom(DateTimeOffset now, int granted) =>
        now + TimeSpan.FromSeconds(Math.Max(granted, options.ValiditySeconds)) + options.ExpiryAfterValidity;

    private static Decision<GrantAnswer> Deny(string sessionId, ResultCode code, string currency, decimal rate = 0m, decimal? available = null, string? reason = null) =>
        Decision.Unchanged(new GrantAnswer(sessionId, code, 0, 0, true, 0m, rate, currency, available, reason));
}

/// <summary>
/// An authorize refused at the open-session bound: the account's open sessions, and whether their size (long or escaped
/// ids) rather than their count reached it.
/// </summary>
public sealed record OpenSessionBound(int Open, bool BySize);
