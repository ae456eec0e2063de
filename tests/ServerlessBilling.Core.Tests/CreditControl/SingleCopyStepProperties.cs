using System.Text.Json;
using FsCheck;
using FsCheck.Xunit;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>
/// The account step copies the document once: closing a session with its charge, an interim's commit and its new
/// grant each build the next document in one copy (<see cref="AccountState.Settle"/>). The reference is the step as
/// it was composed before, one copy per part that changes (store the charged session, commit, store the closed one).
/// On the documents random sequences of steps reach, both must store byte-identical JSON, and give the same answers.
/// </summary>
public sealed class SingleCopyStepProperties
{
    private static readonly CreditControlRules Rules = new(new CreditControlOptions { ClosedSessionsKept = 3 });
    private static readonly RateDeck Deck = Fixtures.Deck();
    private const int ClosedKept = 3;

    [Property(Arbitrary = [typeof(CreditControlModelArbitraries)], MaxTest = 300)]
    public void Every_step_stores_the_document_the_step_by_step_reference_stores(ModelScenario scenario)
    {
        var now = Fixtures.Now.AddSeconds(scenario.StartOffset);
        var account = AccountState.Open("model", scenario.Settings(), scenario.Opening, now);
        foreach (var op in scenario.Ops)
        {
            switch (op)
            {
                case AuthorizeOp a:
                    account = Rules.Authorize(account, Deck, new AuthorizeRequest(Id(a.Session), "model", Numbers.Caller, CreditControlModel.Destinations[a.Destination], null, a.Requested), now).Next ?? account;
                    break;
                case InterimOp i when Open(account, i.Session) is { } session:
                    var used = session.GrantedSeconds * i.UsedPercent / 100;
                    AssertSameCommit(account, session, SessionUse.Interim(account, session, used), now);
                    account = Interim(account, session, new InterimRequest(session.SessionId, session.LastRequestNumber + 1, used, i.Requested), now);
                    break;
                case TerminateOp t when account.Sessions.GetValueOrDefault(Id(t.Session)) is { TerminateAnswer: null } session:
                    var reported = session.GrantedSeconds * t.UsedPercent / 100;
                    AssertSameClose(account, session, SessionUse.Terminate(account, session, reported, session.LastRequestNumber + 1), now);
                    AssertSameClose(account, session, SessionUse.FromCdr(session, session.ReportedSeconds + reported, answered: t.UsedPercent % 7 != 0), now);
                    account = Rules.Terminate(account, new TerminateRequest(session.SessionId, session.LastRequestNumber + 1, reported), now).Next ?? account;
                    break;
                case AdvanceOp t:
                    now = now.AddSeconds(t.Seconds);
                    account = t.Sweep ? Rules.ReleaseExpired(account, now) ?? account : account;
                    break;
                case TopUpOp t when t.AmountMinor > 0:
                    account = account.WithTopUp(t.AmountMinor / 100m, now);
                    break;
            }

            // The sessions keep their order through the store: the document read back is written as the same bytes.
            var json = Json(account);
            Assert.Equal(json, Json(JsonSerializer.Deserialize<AccountState>(json, StoredJson.Options)!));
        }
    }

    /// <summary>
    /// A case the property once found: the last interim is refused with an answer equal in value to the one stored
    /// before it (available 0.000 against 0.00), and the session must store the answer sent, not keep the old one.
    /// </summary>
    [Property(Arbitrary = [typeof(CreditControlModelArbitraries)], MaxTest = 1, Replay = "(15555475959558654811,9432246742707607795,89)")]
    public void An_interim_answer_equal_in_value_to_the_last_is_stored_as_sent(ModelScenario scenario) =>
        Every_step_stores_the_document_the_step_by_step_reference_stores(scenario);

    /// <summary>The interim rule against the reference built from its own answer: commit, store the new grant, then store it with its answer.</summary>
    private static AccountState Interim(AccountState account, Session session, InterimRequest request, DateTimeOffset now)
    {
        var decided = Rules.Interim(account, request, now);
        if (decided.Next is not { } next)
        {
            return account;
        }

        var (committed, used) = StepByStepCommit(account, session, SessionUse.Interim(account, session, request.UsedSeconds), now);
        var granted = next.Sessions[session.SessionId];
        var updated = used with
        {
            Status = granted.Status,
            Reserved = granted.Reserved,
            GrantedSeconds = granted.GrantedSeconds,
            LastRequestNumber = granted.LastRequestNumber,
            ExpiresAt = granted.ExpiresAt,
        };
        var withGrant = committed.WithSession(updated);
        Assert.Equal(withGrant.DisplayAvailable, decided.Answer!.AvailableAfter);
        Assert.Same(decided.Answer, next.Sessions[session.SessionId].LastInterimAnswer);
        Assert.Equal(Json(withGrant.WithSession(updated with { LastInterimAnswer = decided.Answer })), Json(next));
        return next;
    }

    private static void AssertSameCommit(AccountState account, Session session, in SessionUse use, DateTimeOffset now)
    {
        var (single, singleUsed) = SessionCharging.Commit(account, session, use, now);
        var (reference, referenceUsed) = StepByStepCommit(account, session, use, now);
        Assert.Equal(Json(reference), Json(single));
        Assert.Equal(referenceUsed, singleUsed);
    }

    private static void AssertSameClose(AccountState account, Session session, in SessionUse use, DateTimeOffset now)
    {
        var (single, singleClosed) = SessionCharging.Close(account, session, use, now, ClosedKept);
        var (reference, referenceClosed) = StepByStepClose(account, session, use, now, ClosedKept);
        Assert.Equal(Json(reference), Json(single));
        Assert.Equal(referenceClosed, singleClosed);
    }

    private static (AccountState Account, Session Used) StepByStepCommit(AccountState account, Session session, in SessionUse use, DateTimeOffset now)
    {
        var (used, line, _) = StepByStepCharge(session, use);
        return (account.WithSession(used).Commit(line, now), used);
    }

    private static (AccountState Account, Session Closed) StepByStepClose(AccountState account, Session session, in SessionUse use, DateTimeOffset now, int closedKept)
    {
        var (used, line, billed) = StepByStepCharge(session, use);
        var committed = account.WithSession(used).Commit(line, now);
        var answer = new TerminateAnswer(
            session.SessionId, ResultCode.Success, use.AnswerSeconds, billed, used.CommittedCharge, account.Settings.Currency.Code, committed.Balance, use.AnswerOverrunSeconds);
        var closed = used with
        {
            Status = SessionStatus.Terminated,
            Reserved = 0m,
            GrantedSeconds = 0,
            LastRequestNumber = Math.Max(session.LastRequestNumber, use.RequestNumber),
            ClosedAt = now,
            TerminateAnswer = answer,
        };
        return (committed.WithSession(closed, closedKept), closed);
    }

    private static (Session Used, ChargeLine Line, int Billed) StepByStepCharge(Session session, in SessionUse use)
    {
        var (billed, charge) = SessionCharging.Price(session, use.ChargeableSeconds, use.Answered);
        var calls = (use.Calls == CallCount.WhenUsed && (billed > 0 || use.ReportedSeconds > 0)) || (use.Calls == CallCount.WhenBilled && billed > 0) ? 1 : 0;
        var line = new ChargeLine(
            charge - session.CommittedCharge, billed - Rater.BilledSeconds(session.UsedSeconds, answered: true, session.Tariff), calls, session.Destination, session.StartTime);
        var used = session with
        {
            UsedSeconds = use.ChargeableSeconds,
            ReportedSeconds = use.ReportedSeconds,
            OverrunSeconds = use.OverrunSeconds,
            CommittedCharge = charge,
            Reserved = 0m,
        };
        return (used, line, billed);
    }

    private static Session? Open(AccountState account, int session) =>
        account.Sessions.GetValueOrDefault(Id(session)) is { Status: not SessionStatus.Terminated } open ? open : null;

    private static string Id(int session) => "s" + session.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Json(AccountState account) => JsonSerializer.Serialize(account, StoredJson.Options);
}
