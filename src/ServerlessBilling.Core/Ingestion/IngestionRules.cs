using System.Globalization;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Ingestion;

/// <summary>What became of one CDR of a batch; <see cref="Closed"/> is the session this CDR closed, if any.</summary>
public readonly record struct CdrOutcome(Cdr Cdr, int Line, UsageRecord? Applied, string? QuarantineReason, ClosedSession? Closed = null)
{
    public bool IsDuplicate => Applied is null && QuarantineReason is null;
}

/// <summary>
/// Applies CDRs to their account's document, as a pure function: the same rules for pre-paid and post-paid.
/// Every CDR moves the money at most once: its id joins the document's applied set in the same write.
/// A CDR whose session was already charged by terminate is recorded as settled by that session.
/// </summary>
public static class IngestionRules
{
    public static Decision<IReadOnlyList<CdrOutcome>> Apply(
        AccountState account,
        RateDeck? deck,
        IReadOnlyList<(Cdr Cdr, int Line)> cdrs,
        DateTimeOffset now,
        IReadOnlyDictionary<string, ClosedSession>? history = null,
        int closedSessionsKept = int.MaxValue)
    {
        // Replays are judged against the window as it was before this batch (the batch's own ids may push old ones
        // out of it), all looked up before the first change, while this version still owns the window's index.
        var applied = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (cdr, _) in cdrs)
        {
            if (account.AppliedWindow.Contains(cdr.CdrId))
            {
                applied.Add(cdr.CdrId);
            }
        }

        var outcomes = new List<CdrOutcome>(cdrs.Count);
        var next = account;
        foreach (var (cdr, line) in cdrs)
        {
            if (!applied.Add(cdr.CdrId))
            {
                outcomes.Add(new CdrOutcome(cdr, line, null, null));
                continue;
            }

            CdrOutcome outcome;
            var session = cdr.SessionId is { } sessionId
                ? next.Sessions.GetValueOrDefault(sessionId) ?? history?.GetValueOrDefault(sessionId)?.Session
                : null;
            if (session is not null)
            {
                // Terminated: the session charged the call. Otherwise (active, or expired — even dropped from the
                // document long ago) the CDR charges it at the session's tariff, less what its interims committed.
                (next, outcome) = session.TerminateAnswer is null
                    ? ChargeThroughSession(next, session, cdr, line, now, closedSessionsKept)
                    : (next, SettledBySession(next, session, cdr, line, now));
            }
            else
            {
                (next, outcome) = ApplyAlone(next, deck, cdr, line, now);
            }
            if (outcome.Applied is not null)
            {
                next = next.RememberApplied(cdr.CdrId);
            }
            else
            {
                applied.Remove(cdr.CdrId);
            }

            outcomes.Add(outcome);
        }

        return ReferenceEquals(next, account) ? Decision.Unchanged<IReadOnlyList<CdrOutcome>>(outcomes) : Decision.Changed<IReadOnlyList<CdrOutcome>>(next, outcomes);
    }

    private static (AccountState, CdrOutcome) ApplyAlone(AccountState account, RateDeck? deck, Cdr cdr, int line, DateTimeOffset now)
    {
        if (deck is null)
        {
            return (account, new CdrOutcome(cdr, line, null, $"rate deck '{account.Settings.RateDeckId}' of account '{account.AccountId}' does not exist"));
        }

        var rating = deck.Rate(cdr.CalledNumber, cdr.StartTime, cdr.DurationSeconds, cdr.Disposition);
        if (!rating.IsRated)
        {
            return (account, new CdrOutcome(cdr, line, null, rating.Reason));
        }

        var row = rating.Row!;
        var note = cdr.SessionId is null ? null : $"session '{cdr.SessionId}' is not known here (never authorized, or closed more than the retention ago): charged from the CDR";
        var next = account.Commit(new ChargeLine(rating.Charge, rating.BilledSeconds, rating.BilledSeconds > 0 ? 1 : 0, row.Destination, cdr.StartTime), now);
        return (next, new CdrOutcome(cdr, line, Usage(account, cdr, row.Prefix, row.Destination, rating.BilledSeconds, rating.Charge, Settlement.Cdr, note, now), null));
    }

    /// <summary>The session already charged the call: the CDR is recorded at its own rating, and a difference is a note, not a charge.</summary>
    private static CdrOutcome SettledBySession(AccountState account, Session session, Cdr cdr, int line, DateTimeOffset now)
    {
        // The tariff fixed at authorize prices the CDR too: one price for the call, whichever path charges it.
        var (billed, charge) = SessionCharging.Price(session, cdr.DurationSeconds, cdr.Answered);
        var terminated = session.TerminateAnswer!;
        var note = terminated.TotalSeconds == cdr.DurationSeconds && terminated.Charge == charge
            ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"reconciliation: the session charged {terminated.TotalSeconds} s ({terminated.Charge}); the CDR says {cdr.DurationSeconds} s ({charge}); the difference was not charged");
        return new CdrOutcome(cdr, line, Usage(account, cdr, session.Prefix, session.Destination, billed, charge, Settlement.Session, note, now), null);
    }

    /// <summary>
    /// The CDR arrived before the terminate (or after the reservation expired): it charges the whole call now and
    /// closes the session, so that a later terminate changes nothing.
    /// </summary>
    private static (AccountState, CdrOutcome) ChargeThroughSession(AccountState account, Session session, Cdr cdr, int line, DateTimeOffset now, int closedSessionsKept)
    {
        var (next, closed) = SessionCharging.Close(account, session, SessionUse.FromCdr(session, cdr.DurationSeconds, cdr.Answered), now, closedSessionsKept);
        var charged = closed.TerminateAnswer!;
        var usage = Usage(account, cdr, session.Prefix, session.Destination, charged.BilledSeconds, charged.Charge, Settlement.Cdr, $"session '{session.SessionId}' closed by its CDR", now);
        return (next, new CdrOutcome(cdr, line, usage, null, new ClosedSession(account.AccountId, closed)));
    }

    private static UsageRecord Usage(AccountState account, Cdr cdr, string prefix, string destination, int billed, decimal charge, Settlement settlement, string? note, DateTimeOffset now) =>
        new(
            cdr.CdrId,
            account.AccountId,
            cdr.SessionId,
            cdr.CalledNumber,
            cdr.StartTime,
            cdr.DurationSeconds,
            cdr.Disposition.ToWire(),
            prefix,
            destination,
            billed,
            charge,
            account.Settings.Currency.Code,
            account.PeriodOf(cdr.StartTime).Label,
            settlement,
            note,
            now);
}
