using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>
/// A reference model of one account under credit control, run step by step against the real service over
/// the in-memory stores. The model knows only the rating rules (<see cref="Rater"/>) and what each request
/// reported; after every step the stored account must agree with it.
/// </summary>
public sealed class CreditControlModel
{
    public static readonly string[] Destinations = [Numbers.Uk, Numbers.London, Numbers.France];

    /// <summary>From <see cref="Fixtures.Now"/> to 1 December 00:00 in London, where the next billing period starts.</summary>
    public static readonly int SecondsToDecember = (int)(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero) - Fixtures.Now).TotalSeconds;

    private const string AccountId = "model";
    private const int MaxQuota = 3600;
    private const int DefaultQuota = 300;
    private const int Validity = 300;
    private const int Grace = 600;

    private readonly ModelScenario _scenario;
    private readonly AccountSettings _settings;
    private readonly CreditControlHarness _harness;
    private readonly Dictionary<int, ModelSession> _sessions = [];
    private readonly Dictionary<string, decimal> _topUps = new(StringComparer.Ordinal);
    private readonly List<(DateTimeOffset At, decimal Amount)> _commits = [];
    private readonly List<string> _topUpIds = [];
    private Func<object>? _lastRequest;
    private object? _lastResult;
    private decimal _uncovered;
    private int _step;

    private CreditControlModel(ModelScenario scenario)
    {
        _scenario = scenario;
        _harness = CreditControlScenario.NewHarness(new CreditControlOptions
        {
            DefaultQuotaSeconds = DefaultQuota,
            MaxQuotaSeconds = MaxQuota,
            ValiditySeconds = Validity,
            ClosedSessionRetention = TimeSpan.FromDays(365), // replays stay answerable for the whole run
        });
        _harness.Clock.Advance(TimeSpan.FromSeconds(scenario.StartOffset));
        _settings = scenario.Kind switch
        {
            ModelAccountKind.Prepaid => Fixtures.Prepaid(),
            ModelAccountKind.PostpaidHardLimit => Fixtures.Postpaid(scenario.Money, hard: true),
            _ => Fixtures.Postpaid(scenario.Money, hard: false),
        };
        Wait(_harness.OpenAsync(AccountId, _settings, Opening));
    }

    private decimal Opening => _scenario.Kind == ModelAccountKind.Prepaid ? _scenario.Money : 0m;

    private decimal Limit => _scenario.Money;

    private DateTimeOffset Now => _harness.Clock.GetUtcNow();

    /// <summary>Runs every step, checking the invariants after each, then lets every grant expire.</summary>
    public static void Run(ModelScenario scenario)
    {
        var model = new CreditControlModel(scenario);
        model.Check();
        foreach (var op in scenario.Ops)
        {
            model._step++;
            model.Apply(op);
            model.Check();
        }

        model._step++;
        model.Apply(new AdvanceOp(2 * 3600, Sweep: true));
        model.Check();
        var final = model.State();
        Assert.Equal(0m, final.Reserved);
        Assert.Equal(0, final.ActiveSessions);
    }

    private void Apply(ModelOp op)
    {
        switch (op)
        {
            case AuthorizeOp a: Authorize(a); break;
            case InterimOp i: Interim(i); break;
            case OutOfOrderInterimOp o: OutOfOrder(o); break;
            case TerminateOp t: Terminate(t); break;
            case ReplayOp: Replay(); break;
            case AdvanceOp t: Advance(t); break;
            case TopUpOp t: TopUp(t); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, "unknown step");
        }
    }

    private void Authorize(AuthorizeOp op)
    {
        var called = Destinations[op.Destination];
        var request = new AuthorizeRequest(SessionId(op.Session), AccountId, Numbers.Caller, called, null, op.Requested);
        var before = ETag();
        var available = Available();
        var display = DisplayAvailable();
        var outcome = Send(() => Wait(_harness.CreditControl.AuthorizeAsync(request, default)));

        if (_sessions.TryGetValue(op.Session, out var existing))
        {
            if (existing.Called == called && existing.Requested == op.Requested)
            {
                Assert.Equal(existing.AuthorizeAnswer, outcome.Answer);
            }
            else
            {
                Assert.Equal(OutcomeErrorKind.Conflict, outcome.Error?.Kind);
            }

            Assert.Equal(before, ETag());
            return;
        }

        Assert.Null(outcome.Error);
        var answer = outcome.Answer!;
        var tariff = Numbers.TariffOf(called);
        var quota = Math.Min(op.Requested ?? DefaultQuota, MaxQuota);
        Assert.Equal(tariff.RatePerMinute, answer.RatePerMinute);
        Assert.Equal("GBP", answer.Currency);
        AssertGrant(answer, tariff, usedBefore: 0, quota, available);
        if (answer.ResultCode != ResultCode.Success)
        {
            Assert.Equal(display, answer.AvailableAfter);
            Assert.Equal(before, ETag());
            return;
        }

        Assert.Equal(display - answer.ReservedAmount, answer.AvailableAfter);
        _sessions[op.Session] = new ModelSession(called, op.Requested, tariff, answer)
        {
            Start = Now,
            Granted = answer.GrantedSeconds,
            SwitchGrant = answer.GrantedSeconds,
            ExpiresAt = Now.AddSeconds(Math.Max(answer.GrantedSeconds, Validity) + Grace),
        };
    }

    private void Interim(InterimOp op)
    {
        var before = ETag();
        if (!_sessions.TryGetValue(op.Session, out var session))
        {
            var unknown = Send(() => Wait(_harness.CreditControl.InterimAsync(new InterimRequest(SessionId(op.Session), 1, op.UsedPercent, op.Requested), default)));
            Assert.Equal(OutcomeErrorKind.NotFound, unknown.Error?.Kind);
            Assert.Equal(before, ETag());
            return;
        }

        var used = session.SwitchGrant * op.UsedPercent / 100;
        var request = new InterimRequest(SessionId(op.Session), session.LastNumber + 1, used, op.Requested);
        if (session.Status == SessionStatus.Terminated)
        {
            Assert.Equal(OutcomeErrorKind.Conflict, Send(() => Wait(_harness.CreditControl.InterimAsync(request, default))).Error?.Kind);
            Assert.Equal(before, ETag());
            return;
        }

        // What the account may still spend once this use is committed and this session's reservation released.
        Report(session, used);
        session.Granted = 0;
        session.Status = SessionStatus.Active;
        var available = Available();

        var outcome = Send(() => Wait(_harness.CreditControl.InterimAsync(request, default)));
        Assert.Null(outcome.Error);
        var answer = outcome.Answer!;
        var quota = Math.Min(op.Requested ?? DefaultQuota, MaxQuota);
        AssertGrant(answer, session.Tariff, session.Used, quota, available);

        session.Granted = answer.GrantedSeconds;
        session.SwitchGrant = answer.GrantedSeconds;
        session.LastNumber = request.RequestNumber;
        session.ExpiresAt = Now.AddSeconds(Math.Max(answer.GrantedSeconds, Validity) + Grace);
        Assert.Equal(DisplayAvailable(), answer.AvailableAfter);
    }

    private void OutOfOrder(OutOfOrderInterimOp op)
    {
        var before = ETag();
        var known = _sessions.TryGetValue(op.Session, out var session);
        var number = known ? Math.Max(0, session!.LastNumber - 1) : 0;
        var outcome = Send(() => Wait(_harness.CreditControl.InterimAsync(new InterimRequest(SessionId(op.Session), number, 1, 60), default)));
        Assert.Equal(known ? OutcomeErrorKind.Conflict : OutcomeErrorKind.NotFound, outcome.Error?.Kind);
        Assert.Equal(before, ETag());
    }

    private void Terminate(TerminateOp op)
    {
        var before = ETag();
        if (!_sessions.TryGetValue(op.Session, out var session))
        {
            var unknown = Send(() => Wait(_harness.CreditControl.TerminateAsync(new TerminateRequest(SessionId(op.Session), 1, op.UsedPercent), default)));
            Assert.Equal(OutcomeErrorKind.NotFound, unknown.Error?.Kind);
            Assert.Equal(before, ETag());
            return;
        }

        var used = session.SwitchGrant * op.UsedPercent / 100;
        var request = new TerminateRequest(SessionId(op.Session), session.LastNumber + 1, used);
        var outcome = Send(() => Wait(_harness.CreditControl.TerminateAsync(request, default)));
        Assert.Null(outcome.Error);
        var answer = outcome.Answer!;
        if (session.Status == SessionStatus.Terminated)
        {
            Assert.Equal(session.TerminateAnswer, answer);
            Assert.Equal(before, ETag());
            return;
        }

        Report(session, used);
        session.Granted = 0;
        session.Status = SessionStatus.Terminated;
        session.LastNumber = request.RequestNumber;
        session.TerminateAnswer = answer;

        var billed = Rater.BilledSeconds(session.Used, answered: true, session.Tariff);
        Assert.Equal(ResultCode.Success, answer.ResultCode);
        Assert.Equal(session.Reported, answer.TotalSeconds);
        Assert.Equal(session.Overrun, answer.OverrunSeconds);
        Assert.Equal(billed, answer.BilledSeconds);
        Assert.Equal(Price(session.Tariff, session.Used), answer.Charge);
        Assert.Equal(Fixtures.Deck().Rate(session.Called, Fixtures.Now, session.Used, Disposition.Answered).Charge, answer.Charge);
        Assert.Equal(ExpectedBalance(), answer.Balance);
    }

    private void Replay()
    {
        if (_lastRequest is null)
        {
            return;
        }

        var before = ETag();
        Assert.Equal(_lastResult, _lastRequest());
        Assert.Equal(before, ETag());
    }

    private void Advance(AdvanceOp op)
    {
        _lastRequest = null; // a request repeated later is not the same request: time has moved
        _harness.Clock.Advance(TimeSpan.FromSeconds(op.Seconds));
        if (!op.Sweep)
        {
            return;
        }

        var expiring = _sessions.Values.Where(s => s.Status == SessionStatus.Active && s.ExpiresAt <= Now).ToList();
        var released = Wait(_harness.CreditControl.ReleaseExpiredAsync(default));
        Assert.Equal(expiring.Count > 0 ? 1 : 0, released);
        foreach (var session in expiring)
        {
            session.Status = SessionStatus.Expired;
            session.Granted = 0;
        }
    }

    private void TopUp(TopUpOp op)
    {
        var id = op.Reuse is { } reuse && _topUpIds.Count > 0 ? _topUpIds[reuse % _topUpIds.Count] : $"t-{_step}";
        var amount = op.AmountMinor / 100m;
        var before = ETag();
        var outcome = Send(() => Wait(_harness.Admin.TopUpAsync(new TopUpRequest(AccountId, id, amount), default)));
        if (amount <= 0m)
        {
            Assert.Equal(OutcomeErrorKind.Invalid, outcome.Error?.Kind);
            Assert.Equal(before, ETag());
            return;
        }

        if (_topUps.TryGetValue(id, out var recorded) && recorded != amount)
        {
            // The same id with another amount is not a retry: refused, nothing moves.
            Assert.Equal(OutcomeErrorKind.Conflict, outcome.Error?.Kind);
            Assert.Equal(before, ETag());
            return;
        }

        Assert.Null(outcome.Error);
        if (_topUps.ContainsKey(id))
        {
            Assert.Equal(before, ETag());
        }
        else
        {
            _topUps[id] = amount;
            _topUpIds.Add(id);
        }

        Assert.Equal(ExpectedBalance(), outcome.Answer!.Balance);
    }

    /// <summary>
    /// A grant is never more than asked, costs no more than the account may spend, and is the most that
    /// stays within it: one second more would not be covered.
    /// </summary>
    private static void AssertGrant(GrantAnswer answer, Tariff tariff, int usedBefore, int quota, decimal? available)
    {
        var granted = answer.GrantedSeconds;
        var committed = Price(tariff, usedBefore);
        Assert.InRange(granted, 0, quota);
        Assert.Equal(granted == 0 ? 0m : Price(tariff, usedBefore + granted) - committed, answer.ReservedAmount);
        if (granted > 0)
        {
            Assert.Equal(ResultCode.Success, answer.ResultCode);
        }

        // A request for 0 s has its own tests (ZeroSecondRequestTests); here it only must grant and reserve nothing.
        if (quota > 0)
        {
            Assert.Equal(granted < quota, answer.FinalUnit);
            Assert.Equal(granted > 0 ? ResultCode.Success : ResultCode.CreditLimitReached, answer.ResultCode);
        }

        if (available is not { } limit)
        {
            Assert.Equal(quota, granted);
            return;
        }

        // Seconds already paid for (the rest of a billed step) need no credit, even when none is left.
        Assert.True(answer.ReservedAmount <= Math.Max(0m, limit), $"granted {granted} s reserving {answer.ReservedAmount} with {limit} available");
        Assert.True(
            granted == quota || Price(tariff, usedBefore + granted + 1) - committed > limit,
            $"granted {granted} s of {quota} with {limit} available, but one more second would have been covered");
    }

    private void Check()
    {
        var state = State();
        Fixtures.AssertConserved(state);
        var spent = _sessions.Values.Sum(s => Price(s.Tariff, s.Used));
        Assert.Equal(_topUps.Values.Sum(), state.TopUps);
        Assert.Equal(spent, state.Committed);
        Assert.Equal(ExpectedBalance(), state.Balance);
        Assert.Equal(Opening + _topUps.Values.Sum() - spent, state.Balance);
        var view = BalanceView.Of(state, Now);
        Assert.Equal(SpentThisPeriod(), view.PeriodSpend);
        Assert.Equal(BillingPeriod.Containing(Now, _settings).Start, view.PeriodStart);
        Assert.Equal(_sessions.Count, state.Sessions.Count);
        foreach (var (k, expected) in _sessions)
        {
            var actual = state.Sessions[SessionId(k)];
            Assert.Equal(expected.Status, actual.Status);
            Assert.Equal(expected.Used, actual.UsedSeconds);
            Assert.Equal(Price(expected.Tariff, expected.Used), actual.CommittedCharge);
            Assert.Equal(expected.Reserved, actual.Reserved);
            if (expected.Status != SessionStatus.Active)
            {
                Assert.Equal(0m, actual.Reserved);
            }
        }

        Assert.Equal(ExpectedReserved(), state.Reserved);

        // No overspend: a pre-paid account never goes below zero through credit control, whatever the switch reports;
        // a hard-limit account passes its limit only by use reported beyond its grants (charged and flagged).
        switch (_scenario.Kind)
        {
            case ModelAccountKind.Prepaid:
                Assert.True(state.Balance - state.Reserved >= 0m, $"overspent: balance {state.Balance}, reserved {state.Reserved}");
                break;
            case ModelAccountKind.PostpaidHardLimit:
                Assert.True(view.PeriodSpend + view.Reserved <= Limit + _uncovered, $"over the limit: spend {view.PeriodSpend}, reserved {view.Reserved}, uncovered {_uncovered}");
                break;
        }
    }

    /// <summary>
    /// Applies a report of <paramref name="used"/> seconds as the rules say, written from first principles: use beyond
    /// the current grant is an overrun; a post-paid account is charged all of it, a pre-paid account only the longest
    /// use whose whole-call price its credit (this session's reservation and what is unreserved) still covers.
    /// </summary>
    private void Report(ModelSession session, int used)
    {
        var chargeable = session.Used + used;
        if (_scenario.Kind == ModelAccountKind.Prepaid)
        {
            var budget = ExpectedBalance() - (ExpectedReserved() - session.Reserved) + Price(session.Tariff, session.Used);
            while (chargeable > session.Used && Price(session.Tariff, chargeable) > budget)
            {
                chargeable--;
            }
        }
        else
        {
            // A post-paid hard limit may be passed by use beyond the grant: that is flagged, not refused.
            _uncovered += Price(session.Tariff, chargeable) - Price(session.Tariff, session.Used + Math.Min(used, session.Granted));
        }

        _commits.Add((Now, Price(session.Tariff, chargeable) - Price(session.Tariff, session.Used)));
        session.Overrun += Math.Max(0, used - session.Granted);
        session.Reported += used;
        session.Used = chargeable;
    }

    private decimal ExpectedBalance() => Opening + _topUps.Values.Sum() - _sessions.Values.Sum(s => Price(s.Tariff, s.Used));

    private decimal ExpectedReserved() => _sessions.Values.Sum(s => s.Reserved);

    private decimal? Available() => _scenario.Kind switch
    {
        ModelAccountKind.Prepaid => ExpectedBalance() - ExpectedReserved(),
        ModelAccountKind.PostpaidHardLimit => Limit - (SpentThisPeriod() + ExpectedReserved()),
        _ => null,
    };

    private decimal DisplayAvailable() => _scenario.Kind == ModelAccountKind.Prepaid
        ? ExpectedBalance() - ExpectedReserved()
        : Limit - (SpentThisPeriod() + ExpectedReserved());

    /// <summary>
    /// What was committed during the current period counts against the limit, whatever start time the switch
    /// reported; a period that has ended no longer counts.
    /// </summary>
    private decimal SpentThisPeriod()
    {
        var period = BillingPeriod.Containing(Now, _settings);
        return _commits.Where(c => period.Contains(c.At)).Sum(c => c.Amount);
    }

    private T Send<T>(Func<T> request)
        where T : notnull
    {
        var result = request();
        _lastRequest = () => request();
        _lastResult = result;
        return result;
    }

    private AccountState State() => Wait(_harness.StateAsync(AccountId));

    private string ETag() => Wait(_harness.Accounts.GetAsync(AccountId, default))!.ETag;

    private static string SessionId(int k) => $"s{k}";

    private static decimal Price(Tariff tariff, int seconds) => Rater.Charge(tariff, Rater.BilledSeconds(seconds, answered: true, tariff));

    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static void Wait(Task task) => task.GetAwaiter().GetResult();

    private sealed class ModelSession(string called, int? requested, Tariff tariff, GrantAnswer authorizeAnswer)
    {
        public string Called { get; } = called;

        public int? Requested { get; } = requested;

        public Tariff Tariff { get; } = tariff;

        public GrantAnswer AuthorizeAnswer { get; } = authorizeAnswer;

        public DateTimeOffset Start { get; init; }

        public SessionStatus Status { get; set; } = SessionStatus.Active;

        /// <summary>Seconds charged so far.</summary>
        public int Used { get; set; }

        /// <summary>Seconds the switch reported so far.</summary>
        public int Reported { get; set; }

        /// <summary>Reported seconds beyond the grant of the time.</summary>
        public int Overrun { get; set; }

        /// <summary>The seconds of the current grant (0 once it is released).</summary>
        public int Granted { get; set; }

        /// <summary>The last grant as the switch knows it: expiry releases the credit, but the switch may not notice.</summary>
        public int SwitchGrant { get; set; }

        public int LastNumber { get; set; }

        public DateTimeOffset ExpiresAt { get; set; }

        public TerminateAnswer? TerminateAnswer { get; set; }

        /// <summary>The credit the current grant must hold: the rest of the call's price up to the grant's end.</summary>
        public decimal Reserved => Status == SessionStatus.Active && Granted > 0
            ? Price(Tariff, Used + Granted) - Price(Tariff, Used)
            : 0m;
    }
}
