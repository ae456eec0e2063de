using FsCheck;
using FsCheck.Xunit;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>
/// Random interleavings of authorize, interim, terminate, replays, time passing with the expiry sweep and
/// top-ups on one account, checked step by step against <see cref="CreditControlModel"/>: conservation,
/// the balance the rating rules predict, no overspend, exactly-once replays, and every reservation released.
/// </summary>
public sealed class CreditControlModelTests
{
    [Property(Arbitrary = [typeof(CreditControlModelArbitraries)], MaxTest = 200)]
    public void Any_interleaving_keeps_the_ledger_the_rating_rules_predict(ModelScenario scenario) => CreditControlModel.Run(scenario);

    /// <summary>
    /// The case that caught a rule refusing an authorize repeated after its session lapsed and was swept (the contract:
    /// a repeat returns the first answer and reserves nothing more): an authorize, 908 s with the sweep, the same again.
    /// </summary>
    [Fact]
    public void An_authorize_repeated_after_its_session_lapsed_and_was_swept_keeps_the_ledger() =>
        CreditControlModel.Run(new ModelScenario(ModelAccountKind.Prepaid, 4.1m,
        [
            new AuthorizeOp(4, 0, null),
            new AdvanceOp(908, Sweep: true),
            new AuthorizeOp(4, 0, null),
        ]));

    [Fact]
    public void A_call_through_every_step_keeps_the_ledger()
    {
        CreditControlModel.Run(new ModelScenario(ModelAccountKind.Prepaid, 2m,
        [
            new AuthorizeOp(0, 1, 300),
            new ReplayOp(),
            new InterimOp(0, 50, 300),
            new ReplayOp(),
            new AuthorizeOp(1, 0, null),
            new OutOfOrderInterimOp(0),
            new AdvanceOp(900, Sweep: true),
            new TopUpOp(null, 150),
            new ReplayOp(),
            new TopUpOp(0, 500),
            new InterimOp(1, 100, 60),
            new TerminateOp(0, 100),
            new ReplayOp(),
            new TerminateOp(0, 10),
            new InterimOp(0, 10, 10),
            new TerminateOp(1, 30),
        ]));
    }

    [Theory]
    [InlineData(ModelAccountKind.PostpaidHardLimit)]
    [InlineData(ModelAccountKind.PostpaidSoftLimit)]
    public void Post_paid_calls_keep_the_ledger(ModelAccountKind kind)
    {
        CreditControlModel.Run(new ModelScenario(kind, 3m,
        [
            new AuthorizeOp(0, 0, 120),
            new AuthorizeOp(1, 0, 120),
            new InterimOp(0, 100, 120),
            new TerminateOp(0, 100),
            new AuthorizeOp(2, 2, 400),
            new AdvanceOp(1200, Sweep: true),
            new TerminateOp(1, 100),
            new AuthorizeOp(3, 1, 0),
        ]));
    }

    [Theory]
    [InlineData(ModelAccountKind.Prepaid)]
    [InlineData(ModelAccountKind.PostpaidHardLimit)]
    [InlineData(ModelAccountKind.PostpaidSoftLimit)]
    public void Calls_across_the_start_of_a_billing_period_keep_the_ledger(ModelAccountKind kind)
    {
        CreditControlModel.Run(new ModelScenario(kind, 2m,
        [
            new AuthorizeOp(0, 0, 120), // starts in November
            new InterimOp(0, 50, 120),
            new AdvanceOp(600, Sweep: false), // December
            new AuthorizeOp(1, 0, 60),
            new InterimOp(0, 100, 120),
            new AuthorizeOp(2, 2, 400),
            new TerminateOp(0, 100),
            new TerminateOp(1, 100),
            new AuthorizeOp(3, 1, 300),
        ], StartOffset: CreditControlModel.SecondsToDecember - 300));
    }
}
