using System.Collections.Immutable;
using System.Text.Json.Serialization;
using ServerlessBilling.Core.CreditControl;

namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// The account document: its settings and status, and the parts that hold its state — the <see cref="Ledger"/> (money),
/// the <see cref="PeriodBook"/> (billing periods and their totals), the <see cref="SessionBook"/> (calls under credit
/// control) and two bounded id windows (recent top-ups, applied CDRs). Every change is one conditional replace of the
/// whole document, so the parts always agree with each other. Each rule lives in its part. The stored JSON is flat:
/// the parts' members are written as properties of the document itself, so documents already stored read as they
/// are, with no second reader for an older shape.
/// </summary>
public sealed record AccountState
{
    /// <summary>How many recent top-up ids are kept to make top-ups idempotent.</summary>
    public const int RecentTopUpCapacity = 200;

    /// <summary>
    /// How many recently applied CDR ids are kept. They make applying a CDR idempotent in the same write
    /// that moves the money; older CDRs are recognised by their usage record.
    /// </summary>
    public const int AppliedCdrCapacity = 1000;

    /// <summary>
    /// How many applied CDR ids the document holds at most while some of its oldest have no usage record yet (a batch
    /// in flight elsewhere whose records are still being written, or one cut short whose redelivery will write them).
    /// Such ids are not forgotten at <see cref="AppliedCdrCapacity"/>: forgotten, a concurrent or later delivery of the
    /// same CDR would find neither the id nor its record and charge it again. This bounds the document if records stay missing.
    /// </summary>
    public const int AppliedCdrCeiling = 10 * AppliedCdrCapacity;

    /// <summary>How many billing periods of totals the document keeps (the current one and those before it).</summary>
    public const int PeriodsKept = PeriodBook.PeriodsKept;

    [JsonRequired]
    [JsonInclude]
    public string AccountId { get => _profile.AccountId; internal init => Own().AccountId = value; }

    [JsonRequired]
    [JsonInclude]
    public AccountSettings Settings { get => _profile.Settings; internal init => Own().Settings = value; }

    [JsonInclude]
    public AccountStatus Status { get => _profile.Status; internal init => Own().Status = value; }

    /// <summary>When and why the account was suspended (null while active).</summary>
    [JsonInclude]
    public DateTimeOffset? SuspendedAt { get => _profile.SuspendedAt; internal init => Own().SuspendedAt = value; }

    [JsonInclude]
    public string? SuspendReason { get => _profile.SuspendReason; internal init => Own().SuspendReason = value; }

    /// <summary>
    /// When and why the suspension the last resume lifted began: monitoring alerts on a suspension also when it first
    /// sees the account after the resume (a change stream may show only the latest version of a document).
    /// </summary>
    [JsonInclude]
    public DateTimeOffset? LiftedSuspensionAt { get => _profile.LiftedSuspensionAt; internal init => Own().LiftedSuspensionAt = value; }

    [JsonInclude]
    public string? LiftedSuspensionReason { get => _profile.LiftedSuspensionReason; internal init => Own().LiftedSuspensionReason = value; }

    /// <summary>The most <see cref="EarlierLiftedSuspensions"/> the document keeps (the newest).</summary>
    public const int EarlierLiftedSuspensionsKept = 10;

    /// <summary>
    /// The suspensions lifted before the one in <see cref="LiftedSuspensionAt"/>, oldest first, at most
    /// <see cref="EarlierLiftedSuspensionsKept"/>: several suspend and resume cycles between two monitoring passes left only
    /// the last in the document, so only it was alerted. Null when there are none (as in documents written before).
    /// </summary>
    [JsonInclude]
    public IReadOnlyList<LiftedSuspension>? EarlierLiftedSuspensions
    {
        get => _profile.EarlierLiftedSuspensions;
        internal init => Own().EarlierLiftedSuspensions = value is { Count: > 0 } ? value : null;
    }

    /// <summary>The period in which an operator lifted a suspension: monitoring does not suspend again by policy in it.</summary>
    [JsonInclude]
    public string? PolicyWaivedFor { get => _profile.PolicyWaivedFor; internal init => Own().PolicyWaivedFor = value; }

    /// <summary>How many times the document has been written: the change feed's order, so a reader can skip stale versions.</summary>
    [JsonInclude]
    public long Revision { get => _revision; internal init => _revision = value; }

    private long _revision;

    // What rarely changes (the id, settings, status and top-up ids) lies in one object that the versions of the document
    // share, so that a step copies a smaller document. Set only while a document is being made (see Own).
    private Profile _profile = Profile.Unset;

    // Which object the updater handed to the store. A copy made by `with` copies the mark and so names its original,
    // never itself: a document is published only when the mark names it (see Publish). Equal for every document, so
    // record equality ignores it.
    private PublishMark _published;

    /// <summary>Recent spend by call start, for spend monitoring (velocity).</summary>
    [JsonInclude]
    public Monitoring.SpendHistory Spend { get; internal init; } = Monitoring.SpendHistory.Empty;

    /// <summary>The money: balance, top-ups and charges.</summary>
    [JsonIgnore]
    public AccountLedger Ledger { get; private init; }

    /// <summary>The billing periods: the current one, the totals invoices are built from, and which are closed.</summary>
    [JsonIgnore]
    public PeriodBook PeriodBook { get; private init; }

    /// <summary>The sessions and the credit they hold.</summary>
    [JsonIgnore]
    public SessionBook SessionBook { get; private init; }

    /// <summary>The newest top-ups (id and amount), oldest first, bounded by <see cref="RecentTopUpCapacity"/>.</summary>
    [JsonIgnore]
    public IdWindow<RecentTopUp> TopUpWindow { get => _profile.TopUpWindow; private init => Own().TopUpWindow = value; }

    /// <summary>The newest applied CDR ids, oldest first, bounded by <see cref="AppliedCdrCapacity"/>.</summary>
    [JsonIgnore]
    public IdWindow<string> AppliedWindow { get; private init; } = IdWindow<string>.Empty;

    // The parts as stored, in the order stored documents have them.
    [JsonInclude]
    public decimal OpeningBalance { get => Ledger.OpeningBalance; internal init => Ledger = Ledger with { OpeningBalance = value }; }

    [JsonInclude]
    public decimal TopUps { get => Ledger.TopUps; internal init => Ledger = Ledger with { TopUps = value }; }

    [JsonInclude]
    public decimal Committed { get => Ledger.Committed; internal init => Ledger = Ledger with { Committed = value }; }

    [JsonInclude]
    public decimal Balance { get => Ledger.Balance; internal init => Ledger = Ledger with { Balance = value }; }

    /// <summary>Start of the billing period that <see cref="PeriodSpend"/> counts.</summary>
    [JsonInclude]
    public DateTimeOffset PeriodStart { get => PeriodBook.Start; internal init => PeriodBook = PeriodBook with { Start = value }; }

    [JsonInclude]
    public DateTimeOffset PeriodEnd { get => PeriodBook.End; internal init => PeriodBook = PeriodBook with { End = value }; }

    [JsonInclude]
    public decimal PeriodSpend { get => PeriodBook.Spend; internal init => PeriodBook = PeriodBook with { Spend = value }; }

    [JsonInclude]
    public string? PeriodLabel { get => PeriodBook.Label; internal init => PeriodBook = PeriodBook with { Label = value }; }

    [JsonInclude]
    public SessionMap Sessions { get => SessionBook.Sessions; internal init => SessionBook = SessionBook with { Sessions = value }; }

    /// <summary>The stored form of <see cref="TopUpWindow"/>.</summary>
    [JsonInclude]
    public IEnumerable<RecentTopUp> RecentTopUps { get => TopUpWindow.Items; internal init => TopUpWindow = IdWindow<RecentTopUp>.Of(value); }

    /// <summary>The stored form of <see cref="AppliedWindow"/>.</summary>
    [JsonInclude]
    public IEnumerable<string> AppliedCdrs { get => AppliedWindow.Items; internal init => AppliedWindow = IdWindow<string>.Of(value); }

    [JsonInclude]
    public string? ClosedThrough { get => PeriodBook.ClosedThrough; internal init => PeriodBook = PeriodBook with { ClosedThrough = value }; }

    [JsonInclude]
    public ImmutableSortedDictionary<string, PeriodTotals> Totals { get => PeriodBook.Totals; internal init => PeriodBook = PeriodBook with { Totals = value }; }

    [JsonInclude]
    public DateTimeOffset? NextExpiry { get => SessionBook.NextExpiry; internal init => SessionBook = SessionBook with { NextExpiry = value }; }

    [JsonInclude]
    public decimal Reserved { get => SessionBook.Reserved; internal init => SessionBook = SessionBook with { Reserved = value }; }

    [JsonInclude]
    public IEnumerable<string> ClosedOrder { get => SessionBook.ClosedOrder; internal init => SessionBook = SessionBook with { ClosedOrder = value }; }

    [JsonInclude]
    public int ClosedCount { get => SessionBook.ClosedCount; internal init => SessionBook = SessionBook with { ClosedCount = value }; }

    /// <summary>Overrun sessions that have left <see cref="Sessions"/> (see <see cref="SessionBook.PastOverruns"/>); absent when none.</summary>
    [JsonInclude]
    public IReadOnlyList<OverrunNote>? PastOverruns { get => SessionBook.PastOverruns; internal init => SessionBook = SessionBook with { PastOverruns = value }; }

    /// <summary>The latest changes of mode (see <see cref="PeriodBook.ModeChanges"/>); absent when the mode never changed.</summary>
    [JsonInclude]
    public IReadOnlyList<ModeChange>? ModeChanges { get => PeriodBook.ModeChanges; internal init => PeriodBook = PeriodBook with { ModeChanges = value }; }

    public int ActiveSessions => SessionBook.ActiveCount;

    /// <summary>What new calls may spend: balance less reservations (pre-paid) or the limit's headroom (post-paid hard limit); null when unlimited.</summary>
    public decimal? Available => Settings.Mode switch
    {
        AccountMode.Prepaid => Balance - Reserved,
        _ when Settings.HardLimit => (Settings.CreditLimit ?? 0m) - (PeriodSpend + Reserved),
        _ => null,
    };

    /// <summary>
    /// What a call that started at <paramref name="callStart"/> may be granted: <see cref="Available"/>, except for a call
    /// that started pre-paid on an account post-paid since (see <see cref="PeriodBook.ModeAt"/>): its terminate charges it
    /// by the pre-paid rules and its statement bills it, so it is granted from the balance, as at its start.
    /// </summary>
    public decimal? AvailableFor(DateTimeOffset callStart) =>
        Settings.Mode != AccountMode.Prepaid && PeriodBook.ModeChanges is not null && PeriodBook.ModeAt(callStart, Settings) == AccountMode.Prepaid
            ? Balance - Reserved
            : Available;

    /// <summary>Available credit as shown to people: post-paid soft-limit accounts show the limit's headroom (or null).</summary>
    public decimal? DisplayAvailable => DisplayAvailableAt(Reserved);

    /// <summary>What <see cref="DisplayAvailable"/> will be once <paramref name="session"/> is stored (see <see cref="WithSession"/>).</summary>
    internal decimal? DisplayAvailableWith(Session session) => DisplayAvailableAt(SessionBook.ReservedWith(session));

    private decimal? DisplayAvailableAt(decimal reserved) => Settings.Mode == AccountMode.Prepaid
        ? Balance - reserved
        : Settings.CreditLimit is { } limit ? limit - (PeriodSpend + reserved) : null;

    /// <summary>How many ids <see cref="AppliedCdrs"/> holds.</summary>
    public int AppliedCount => AppliedWindow.Count;

    public static AccountState Open(string accountId, AccountSettings settings, decimal openingBalance, DateTimeOffset now) => new()
    {
        AccountId = accountId,
        Settings = settings,
        Ledger = AccountLedger.Open(openingBalance),
        PeriodBook = PeriodBook.Open(now, settings),
    };

    /// <summary>
    /// New settings. A new billing day or time zone moves the end of the current period (see <see cref="PeriodBook.Rebill"/>):
    /// the period running now under the settings it had, so that a period that ended before the change (no charge has
    /// moved the book on since) keeps its end. A new mode ends the current period now, as a part with its own document
    /// (see <see cref="PeriodBook.ChangeMode"/>); a waiver of suspension by policy carries over to the next part. The
    /// money and the sessions stay as they are.
    /// </summary>
    public AccountState WithSettings(AccountSettings settings, DateTimeOffset now)
    {
        var moved = Settings.BillingDay != settings.BillingDay || Settings.TimeZone != settings.TimeZone;
        var modeChanged = Settings.Mode != settings.Mode;
        if (!moved && !modeChanged)
        {
            return this with { Settings = settings };
        }

        var book = PeriodBook.Roll(now, Settings);
        var label = book.Label;
        book = modeChanged ? book.ChangeMode(now, Settings.Mode) : book;
        return this with
        {
            Settings = settings,
            PeriodBook = moved ? book.Rebill(now, settings) : book,
            PolicyWaivedFor = PolicyWaivedFor is not null && PolicyWaivedFor == label ? book.Label : PolicyWaivedFor,
        };
    }

    /// <summary>Whether the mode can change now: the current billing period has a part left (see <see cref="PeriodBook.CanChangeMode"/>).</summary>
    public bool CanChangeMode(DateTimeOffset now) => PeriodBook.Roll(now, Settings).CanChangeMode(now);

    /// <summary>Suspends the account: new calls are denied and running calls get no further grant.</summary>
    public AccountState Suspend(string reason, DateTimeOffset now) => this with { Status = AccountStatus.Suspended, SuspendedAt = now, SuspendReason = reason };

    /// <summary>Lifts a suspension, waiving suspension by policy for the rest of the current period.</summary>
    public AccountState Resume(DateTimeOffset now)
    {
        var current = RollPeriod(now);
        return current with
        {
            Status = AccountStatus.Active, SuspendedAt = null, SuspendReason = null, PolicyWaivedFor = current.PeriodLabel,
            LiftedSuspensionAt = current.SuspendedAt, LiftedSuspensionReason = current.SuspendReason,
            EarlierLiftedSuspensions = current.LiftedSuspensionAt is { } earlier
                ? LiftedSuspension.Append(current.EarlierLiftedSuspensions, new(earlier, current.LiftedSuspensionReason), EarlierLiftedSuspensionsKept)
                : current.EarlierLiftedSuspensions,
        };
    }

    /// <summary>Whether an operator lifted a suspension in the period containing <paramref name="now"/> (monitoring then does not suspend by policy).</summary>
    public bool PolicyWaived(DateTimeOffset now) => PolicyWaivedFor == PeriodBook.Roll(now, Settings).Label;

    /// <summary>
    /// Commits a charge: the balance, the all-time committed amount, the current period's spend and the
    /// totals of the period in which the call started move together.
    /// </summary>
    public AccountState Commit(in ChargeLine charge, DateTimeOffset now) => this with
    {
        Ledger = Ledger.Charge(charge.Amount),
        PeriodBook = PeriodBook.Roll(now, Settings).Add(charge, Settings),
        Spend = Spend.Add(charge.CallStart, charge.Amount, now),
    };

    /// <summary>Adds credit: the balance, the all-time top-ups and the current period's top-ups move together.</summary>
    public AccountState WithTopUp(decimal amount, DateTimeOffset now) => this with
    {
        Ledger = Ledger.TopUp(amount),
        PeriodBook = PeriodBook.Roll(now, Settings).AddTopUp(amount),
    };

    /// <summary>Moves to the billing period that contains <paramref name="now"/> when the current one has ended.</summary>
    public AccountState RollPeriod(DateTimeOffset now) => now < PeriodBook.End ? this : this with { PeriodBook = PeriodBook.Roll(now, Settings) };

    /// <summary>The billing period in which a call that started at <paramref name="callStart"/> is invoiced.</summary>
    public (string Label, DateTimeOffset Start, DateTimeOffset End) PeriodOf(DateTimeOffset callStart) => PeriodBook.PeriodOf(callStart, Settings);

    /// <summary>Whether the period labelled <paramref name="label"/> has been closed by the invoice run.</summary>
    public bool IsClosed(string label) => PeriodBook.IsClosed(label);

    /// <summary>Closes every period up to <paramref name="label"/>: later charges for them are late usage.</summary>
    public AccountState CloseThrough(string label) => IsClosed(label) ? this : this with { PeriodBook = PeriodBook.CloseThrough(label) };

    /// <summary>The balances a statement of the period <paramref name="label"/> shows (see <see cref="AccountLedger.StatementBalances"/>).</summary>
    public (decimal Opening, decimal Closing) StatementBalances(string label) => Ledger.StatementBalances(PeriodBook, label);

    /// <summary>Stores the session's new state (see <see cref="SessionBook.With(Session, int)"/>).</summary>
    public AccountState WithSession(Session session, int closedKept = int.MaxValue) => this with { SessionBook = SessionBook.With(session, closedKept) };

    /// <summary>
    /// Stores the session's new state, which passed through <paramref name="via"/> earlier in the same step: the
    /// document <c>WithSession(via).WithSession(session, closedKept)</c> gives, copied once.
    /// </summary>
    internal AccountState WithSession(Session session, int closedKept, Session via) => this with { SessionBook = SessionBook.With(session, closedKept, SessionPass.Of(via)) };

    /// <summary>
    /// Commits a session's charge and stores the session's new state in one copy of the document: the document
    /// <c>WithSession(via).Commit(charge, now).WithSession(session, closedKept)</c> gives, where <paramref name="via"/>
    /// (when not null) is what the book follows of the state the session passed through earlier in the same step.
    /// </summary>
    internal AccountState Settle(Session session, in ChargeLine charge, DateTimeOffset now, int closedKept = int.MaxValue, SessionPass? via = null) => this with
    {
        Ledger = Ledger.Charge(charge.Amount),
        PeriodBook = PeriodBook.Roll(now, Settings).Add(charge, Settings),
        Spend = Spend.Add(charge.CallStart, charge.Amount, now),
        SessionBook = SessionBook.With(session, closedKept, via),
    };

    /// <summary>The sweep's housekeeping (see <see cref="SessionBook.Tidy"/>).</summary>
    public AccountState Tidy(DateTimeOffset now, TimeSpan retention) => this with { SessionBook = SessionBook.Tidy(now, retention) };

    /// <summary>
    /// The document with the money, periods, spend and applied ids a group of CDRs left, computed by ingestion's group
    /// step from this document in one pass (see <c>IngestionRules</c>): one copy of the document per group, not two per CDR.
    /// </summary>
    internal AccountState WithIngested(in AccountLedger ledger, in PeriodBook periods, Monitoring.SpendHistory spend, in IdWindow<string> applied) =>
        this with { Ledger = ledger, PeriodBook = periods, Spend = spend, AppliedWindow = applied };

    /// <summary>Remembers that <paramref name="cdrId"/> has been applied, forgetting the oldest beyond capacity.</summary>
    public AccountState RememberApplied(string cdrId, int capacity = AppliedCdrCapacity) =>
        this with { AppliedWindow = AppliedWindow.Add(cdrId, capacity) };

    /// <summary>
    /// Remembers that <paramref name="cdrId"/> has been applied, as <see cref="AppliedAfter"/> says (one by one, the same
    /// window as a group of them gives).
    /// </summary>
    public AccountState RememberApplied(string cdrId, IReadOnlySet<string>? unrecorded) =>
        this with { AppliedWindow = AppliedAfter(AppliedWindow, [cdrId], unrecorded) };

    /// <summary>
    /// The applied ids after <paramref name="added"/>: the oldest beyond <see cref="AppliedCdrCapacity"/> are forgotten,
    /// except those <paramref name="unrecorded"/> holds (the caller looked up the oldest ids that could go and found no
    /// usage record for these), which stay up to <see cref="AppliedCdrCeiling"/>. Null: every id that could go has its record.
    /// </summary>
    public static IdWindow<string> AppliedAfter(in IdWindow<string> window, IReadOnlyList<string> added, IReadOnlySet<string>? unrecorded) =>
        unrecorded is not { Count: > 0 }
            ? window.AddRange(added, AppliedCdrCapacity)
            : window.AddRange(added, int.MaxValue).Forget(AppliedCdrCapacity, unrecorded, AppliedCdrCeiling);

    /// <summary>
    /// The oldest applied ids that <paramref name="adding"/> more could push beyond <see cref="AppliedCdrCapacity"/>:
    /// those whose usage records must be looked up before they may be forgotten (none when the window has room).
    /// </summary>
    public IReadOnlyList<string> AppliedIdsThatMayGo(int adding)
    {
        var over = Math.Min(AppliedWindow.Count, AppliedWindow.Count + adding - AppliedCdrCapacity);
        if (over <= 0)
        {
            return [];
        }

        var ids = new string[over];
        var i = 0;
        foreach (var id in AppliedWindow.Items)
        {
            if (i == over)
            {
                break;
            }

            ids[i++] = id;
        }

        return ids;
    }

    /// <summary>
    /// Remembers the top-up, forgetting the oldest beyond <see cref="RecentTopUpCapacity"/>; with
    /// <paramref name="recorded"/>, only those of its ids (whose history records were found or written), oldest first, so
    /// that a top-up whose record a crash left out is never forgotten (its replay would find neither and credit it again).
    /// </summary>
    public AccountState RememberTopUp(RecentTopUp topUp, IReadOnlySet<string>? recorded = null)
    {
        var items = TopUpWindow.Items;
        var mayGo = items.Count;
        if (recorded is not null)
        {
            for (mayGo = 0; mayGo < items.Count && recorded.Contains(items[mayGo].TopUpId); mayGo++)
            {
            }
        }

        return this with { TopUpWindow = TopUpWindow.Add(topUp, Math.Max(RecentTopUpCapacity, items.Count + 1 - mayGo)) };
    }

    /// <summary>The oldest recent top-ups that remembering one more would forget: their history records must exist first.</summary>
    public IEnumerable<RecentTopUp> TopUpsThatMayGo() => TopUpWindow.Items.Take(TopUpWindow.Count + 1 - RecentTopUpCapacity);

    /// <summary>
    /// This document as the write of revision <paramref name="revision"/> stores it. A document a rule has just made
    /// (new, or copied by <c>with</c> and never handed to a store) is seen by no one else, so it is stamped in place;
    /// one that may be shared (published before, or the <paramref name="read"/> document itself) is copied.
    /// </summary>
    internal AccountState Publish(long revision, AccountState? read)
    {
        var next = ReferenceEquals(this, read) || ReferenceEquals(_published.Document, this) ? this with { Revision = revision } : this;
        next._revision = revision;
        next._published = new PublishMark(next);
        return next;
    }

    /// <summary>
    /// The profile this document's initializers may set: its own, made on the first set (a document made by <c>with</c>
    /// starts with its original's, which is never changed again).
    /// </summary>
    private Profile Own() => ReferenceEquals(_profile.Owner, this) ? _profile : _profile = _profile.CopyFor(this);

    /// <summary>The members of the document that rarely change; equal when they are (the owner aside).</summary>
    private sealed class Profile : IEquatable<Profile>
    {
        public static readonly Profile Unset = new();

        public AccountState? Owner { get; private init; }

        public string AccountId { get; set; } = "";

        public AccountSettings Settings { get; set; } = null!;

        public AccountStatus Status { get; set; } = AccountStatus.Active;

        public DateTimeOffset? SuspendedAt { get; set; }

        public string? SuspendReason { get; set; }

        public string? PolicyWaivedFor { get; set; }

        public DateTimeOffset? LiftedSuspensionAt { get; set; }

        public string? LiftedSuspensionReason { get; set; }

        public IReadOnlyList<LiftedSuspension>? EarlierLiftedSuspensions { get; set; }

        public IdWindow<RecentTopUp> TopUpWindow { get; set; } = IdWindow<RecentTopUp>.Empty;

        public Profile CopyFor(AccountState owner) => new()
        {
            Owner = owner,
            AccountId = AccountId,
            Settings = Settings,
            Status = Status,
            SuspendedAt = SuspendedAt,
            SuspendReason = SuspendReason,
            PolicyWaivedFor = PolicyWaivedFor,
            LiftedSuspensionAt = LiftedSuspensionAt,
            LiftedSuspensionReason = LiftedSuspensionReason,
            EarlierLiftedSuspensions = EarlierLiftedSuspensions,
            TopUpWindow = TopUpWindow,
        };

        public bool Equals(Profile? other) =>
            other is not null && (ReferenceEquals(this, other) || (AccountId == other.AccountId && Equals(Settings, other.Settings) && Status == other.Status
                && SuspendedAt == other.SuspendedAt && SuspendReason == other.SuspendReason && PolicyWaivedFor == other.PolicyWaivedFor
                && LiftedSuspensionAt == other.LiftedSuspensionAt && LiftedSuspensionReason == other.LiftedSuspensionReason
                && (EarlierLiftedSuspensions ?? []).SequenceEqual(other.EarlierLiftedSuspensions ?? [])
                && TopUpWindow.Equals(other.TopUpWindow)));

        public override bool Equals(object? obj) => Equals(obj as Profile);

        public override int GetHashCode() => HashCode.Combine(AccountId, Settings, Status, SuspendedAt, SuspendReason, PolicyWaivedFor, LiftedSuspensionAt, TopUpWindow);
    }

    private readonly struct PublishMark(AccountState document) : IEquatable<PublishMark>
    {
        public AccountState? Document { get; } = document;

        public bool Equals(PublishMark other) => true;

        public override bool Equals(object? obj) => obj is PublishMark;

        public override int GetHashCode() => 0;
    }
}

/// <summary>A top-up remembered in the account document: its amount tells a retry from a conflicting reuse of the id.</summary>
public sealed record RecentTopUp(string TopUpId, decimal Amount);
