using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>
/// Closing a session with its charge, the one step both terminate and a CDR take: one price for the call (invariant 4),
/// and what each path keeps of its own (the pre-paid cap, how the call counts, what the answer states).
/// </summary>
public sealed class SessionChargingTests
{
    private static readonly CreditControlRules Rules = new(new CreditControlOptions());

    private static readonly DateTimeOffset Now = Fixtures.Now;

    private static (AccountState Account, Session Session) Authorized(AccountSettings settings, decimal balance, string called, int seconds)
    {
        var account = Rules.Authorize(AccountState.Open("acme", settings, balance, Now), Fixtures.Deck(), new AuthorizeRequest("call-1", "acme", Numbers.Caller, called, Now, seconds), Now).Next!;
        return (account, account.Sessions["call-1"]);
    }

    [Fact]
    public void Terminate_and_the_cdr_of_the_same_call_charge_the_same_price_after_an_interim()
    {
        var (account, session) = Authorized(Fixtures.Postpaid(100m, hard: false), 0m, Numbers.London, 60);
        var (interim, used) = SessionCharging.Commit(account, session, SessionUse.Interim(account, session, 30), Now.AddSeconds(30));

        var (byTerminate, terminated) = SessionCharging.Close(interim, used, SessionUse.Terminate(interim, used, 45, 2), Now.AddSeconds(75), int.MaxValue);
        var (byCdr, closedByCdr) = SessionCharging.Close(interim, used, SessionUse.FromCdr(used, 75, answered: true), Now.AddSeconds(75), int.MaxValue);

        Assert.Equal(Numbers.Price(Numbers.London, 75), terminated.CommittedCharge);
        Assert.Equal(terminated.CommittedCharge, closedByCdr.CommittedCharge);
        Assert.Equal(byTerminate.Ledger, byCdr.Ledger);
        Assert.Equal(byTerminate.Totals["2026-11"].Total, byCdr.Totals["2026-11"].Total);
        Assert.Equal(new UsageTotals(1, 78, 0.83m), byCdr.Totals["2026-11"].Total);
        Assert.Equal((78, 0.83m), (terminated.TerminateAnswer!.BilledSeconds, closedByCdr.TerminateAnswer!.Charge));
        Fixtures.AssertConserved(byTerminate);
        Fixtures.AssertConserved(byCdr);
    }

    [Fact]
    public void Terminate_charges_a_prepaid_account_only_what_its_credit_covers_and_a_cdr_charges_the_call_in_full()
    {
        var (account, session) = Authorized(Fixtures.Prepaid(), 1m, Numbers.Uk, 60);

        var (byTerminate, terminated) = SessionCharging.Close(account, session, SessionUse.Terminate(account, session, 180, 1), Now.AddMinutes(3), int.MaxValue);
        var (byCdr, closedByCdr) = SessionCharging.Close(account, session, SessionUse.FromCdr(session, 180, answered: true), Now.AddMinutes(3), int.MaxValue);

        Assert.Equal((60, 180, 120, 1.00m, 0m), (terminated.UsedSeconds, terminated.ReportedSeconds, terminated.OverrunSeconds, terminated.CommittedCharge, byTerminate.Balance));
        Assert.Equal((180, 120), (terminated.TerminateAnswer!.TotalSeconds, terminated.TerminateAnswer.OverrunSeconds));
        Assert.Equal((180, 180, 0, 3.00m, -2.00m), (closedByCdr.UsedSeconds, closedByCdr.ReportedSeconds, closedByCdr.OverrunSeconds, closedByCdr.CommittedCharge, byCdr.Balance));
        Assert.Equal((180, 0), (closedByCdr.TerminateAnswer!.TotalSeconds, closedByCdr.TerminateAnswer.OverrunSeconds));
    }

    [Fact]
    public void A_terminated_call_counts_once_when_used_and_a_cdr_counts_it_only_when_it_billed()
    {
        // A terminate with no use at all is an unanswered call: it counts as its CDR does, as no call (it used to count one,
        // and a period of such calls alone was issued an invoice of 0.00). Any use reported counts the call once.
        var (account, session) = Authorized(Fixtures.Postpaid(100m, hard: false), 0m, Numbers.France, 60);

        var (byTerminate, _) = SessionCharging.Close(account, session, SessionUse.Terminate(account, session, 0, 1), Now, int.MaxValue);
        var (used, _) = SessionCharging.Close(account, session, SessionUse.Terminate(account, session, 1, 1), Now, int.MaxValue);
        var (byCdr, unanswered) = SessionCharging.Close(account, session, SessionUse.FromCdr(session, 12, answered: false), Now, int.MaxValue);

        Assert.Equal(new UsageTotals(0, 0, 0m), byTerminate.Totals["2026-11"].Total);
        Assert.Equal(1, used.Totals["2026-11"].Total.Calls);
        Assert.Equal(new UsageTotals(0, 0, 0m), byCdr.Totals["2026-11"].Total);
        Assert.Equal((0, 0m, 12), (unanswered.TerminateAnswer!.BilledSeconds, unanswered.TerminateAnswer.Charge, unanswered.TerminateAnswer.TotalSeconds));
    }

    [Fact]
    public void An_interim_charges_the_use_so_far_keeps_the_session_open_and_does_not_count_the_call()
    {
        var (account, session) = Authorized(Fixtures.Postpaid(100m, hard: false), 0m, Numbers.France, 60);

        var (next, used) = SessionCharging.Commit(account, session, SessionUse.Interim(account, session, 20), Now.AddSeconds(20));

        Assert.Equal((SessionStatus.Active, 20, 0m, 0.05m), (used.Status, used.UsedSeconds, used.Reserved, used.CommittedCharge));
        Assert.Null(used.TerminateAnswer);
        Assert.Equal(new UsageTotals(0, 20, 0.05m), next.Totals["2026-11"].Total);
        Assert.Equal(0m, next.Reserved);
    }

    [Fact]
    public void A_closed_session_holds_its_answer_joins_the_closed_sessions_and_terminate_alone_advances_the_request_number()
    {
        var (account, session) = Authorized(Fixtures.Postpaid(100m, hard: false), 0m, Numbers.France, 60);

        var (byTerminate, terminated) = SessionCharging.Close(account, session, SessionUse.Terminate(account, session, 10, 4), Now.AddSeconds(10), closedKept: 5);
        var (byCdr, closedByCdr) = SessionCharging.Close(account, session, SessionUse.FromCdr(session, 10, answered: true), Now.AddSeconds(10), closedKept: 0);

        Assert.Equal((SessionStatus.Terminated, 0m, 0, Now.AddSeconds(10), 4), (terminated.Status, terminated.Reserved, terminated.GrantedSeconds, terminated.ClosedAt, terminated.LastRequestNumber));
        Assert.Equal(0, closedByCdr.LastRequestNumber);
        Assert.Same(terminated, byTerminate.Sessions["call-1"]);
        Assert.Equal(["call-1"], byTerminate.ClosedOrder);
        Assert.Empty(byCdr.Sessions); // kept no closed session
        Assert.Equal(byTerminate.Balance, terminated.TerminateAnswer!.Balance);
        Assert.Equal("GBP", closedByCdr.TerminateAnswer!.Currency);
    }
}
