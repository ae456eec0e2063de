using System.Collections.Immutable;
using System.Text.Json.Serialization;
using ServerlessBilling.Core.CreditControl;

namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// The account document: settings, the money position and the active sessions. Every change is one
/// conditional replace of the whole document, so what it says is always consistent:
/// <c>Balance = OpeningBalance + TopUps − Committed</c> and <c>Reserved = Σ session reservations</c>.
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

    /// <summary>How many billing periods of totals the document keeps (the current one and those before it).</summary>
    public const int PeriodsKept = 3;

    public required string AccountId { get; init; }

    public required AccountSettings Settings { get; init; }

    public AccountStatus Status { get; init; } = AccountStatus.Active;

    /// <summary>When and why the account was suspended (null while active).</summary>
    public DateTimeOffset? SuspendedAt { get; init; }

    public string? SuspendReason { get; init; }

    /// <summary>The period in which an operator lifted a suspension: monitoring does not suspend again by policy in it.</summary>
    public string? PolicyWaivedFor { get; init; }

    /// <summary>How many times the document has been written: the change feed's order, so a reader can skip stale versions.</summary>
    public long Revision { get; init; }

    /// <summary>Recent spend by call start, for spend monitoring (velocity).</summary>
    public Monitoring.SpendHistory Spend { get; init; } = Monitoring.SpendHistory.Empty;

    public decimal OpeningBalance { get; init; }

    public decimal TopUps { get; init; }

    public decimal Committed { get; init; }

    public decimal Balance { get; init; }

    /// <summary>Start of the billing period that <see cref="PeriodSpend"/> counts.</summary>
    public DateTimeOffset PeriodStart { get; init; }

    public DateTimeOffset PeriodEnd { get; init; }

    public decimal PeriodSpend { get; init; }

    /// <summary>The label of the current period ("2026-11"), kept so that the hot path needs no time-zone work.</summary>
    public string? PeriodLabel { get; init; }

    public ImmutableDictionary<string, Session> Sessions { get; init; } = ImmutableDictionary<string, Session>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>The newest top-ups (id and amount), oldest first, bounded by <see cref="RecentTopUpCapacity"/>.</summary>
    [JsonIgnore]
    public IdWindow<RecentTopUp> TopUpWindow { get; private init; } = IdWindow<RecentTopUp>.Empty;

    /// <summary>The newest applied CDR ids, oldest first, bounded by <see cref="AppliedCdrCapacity"/>.</summary>
    [JsonIgnore]
    public IdWindow<string> AppliedWindow { get; private init; } = IdWindow<string>.Empty;

    /// <summary>The stored form of <see cref="TopUpWindow"/>.</summary>
    public ImmutableQueue<RecentTopUp> RecentTopUps { get => TopUpWindow.Items; init => TopUpWindow = IdWindow<RecentTopUp>.Of(value); }

    /// <summary>The stored form of <see cref="AppliedWindow"/>.</summary>
    public ImmutableQueue<string> AppliedCdrs { get => AppliedWindow.Items; init => AppliedWindow = IdWindow<string>.Of(value); }

    /// <summary>
    /// The latest billing period the invoice run has closed ("2026-10"), null before the first. Its totals, and
    /// those of every period before it, never change again: a charge for a call that started in one of them is
    /// late usage, counted in the next open period (see <see cref="AddToTotals"/>).
    /// </summary>
    public string? ClosedThrough { get; init; }

    /// <summary>Usage totals of the latest billing periods, by period label ("2026-11"). Periods not yet closed are never dropped.</summary>
    public ImmutableSortedDictionary<string, PeriodTotals> Totals { get; init; } =
        ImmutableSortedDictionary<string, PeriodTotals>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>
    /// No active session expires before this time (a lower bound, kept without scanning the sessions), so a
    /// sweeper can find the account by query; the sweep makes it exact again.
    /// </summary>
    public DateTimeOffset? NextExpiry { get; init; }

    /// <summary>The credit held by sessions: kept up to date by <see cref="WithSession"/>, never recomputed on the hot path.</summary>
    public decimal Reserved { get; init; }

    /// <summary>Terminated sessions still in <see cref="Sessions"/>, oldest first (bounded; older ones live in the session history).</summary>
    public ImmutableQueue<string> ClosedOrder { get; init; } = [];

    public int ClosedCount { get; init; }

    public int ActiveSessions => Sessions.Values.Count(s => s.Status == SessionStatus.Active);

    /// <summary>What new calls may spend: balance less reservations (pre-paid) or the limit's headroom (post-paid hard limit); null when unlimited.</summary>
    public decimal? Available => Settings.Mode switch
    {
        AccountMode.Prepaid => Balance - Reserved,
        _ when Settings.HardLimit => (Settings.CreditLimit ?? 0m) - (PeriodSpend + Reserved),
        _ => null,
    };

    /// <summary>Available credit as shown to people: post-paid soft-limit accounts show the limit's headroom (or null).</summary>
    public decimal? DisplayAvailable => Settings.Mode == AccountMode.Prepaid
        ? Balance - Reserved
        : Settings.CreditLimit is { } limit ? limit - (PeriodSpend + Reserved) : null;

    public static AccountState Open(string accountId, AccountSettings settings, decimal openingBalance, DateTimeOffset now)
    {
        var period = BillingPeriod.Containing(now, settings);
        return new AccountState
        {
            AccountId = accountId,
            Settings = settings,
            OpeningBalance = openingBalance,
            Balance = openingBalance,
            PeriodStart = period.Start,
            PeriodEnd = period.End,
            PeriodLabel = period.Label(BillingPeriod.FindTimeZone(settings.TimeZone)),
        };
    }

    /// <summary>
    /// Commits a charge: the balance, the all-time committed amount, the current period's spend and the
    /// totals of the period in which the call started move together.
    /// </summary>
    public AccountState Commit(in ChargeLine charge, DateTimeOffset now)
    {
        var rolled = RollPeriod(now);
        return rolled with
        {
            Committed = rolled.Committed + charge.Amount,
            Balance = rolled.Balance - charge.Amount,
            // Exposure against a post-paid limit counts what is committed in this period, whatever start time the
            // switch reported; the invoice totals below go by the call's start.
            PeriodSpend = rolled.PeriodSpend + charge.Amount,
            Totals = AddToTotals(rolled.Totals, charge),
            Spend = rolled.Spend.Add(charge.CallStart, charge.Amount, now),
        };
    }

    public bool HasApplied(string cdrId) => AppliedCdrs.Contains(cdrId);

    /// <summary>Remembers that <paramref name="cdrId"/> has been applied, forgetting the oldest beyond capacity.</summary>
    public AccountState RememberApplied(string cdrId, int capacity = AppliedCdrCapacity) =>
        this with { AppliedWindow = AppliedWindow.Add(cdrId, capacity) };

    /// <summary>Remembers the top-up, forgetting the oldest beyond <see cref="RecentTopUpCapacity"/>.</summary>
    public AccountState RememberTopUp(RecentTopUp topUp) =>
        this with { TopUpWindow = TopUpWindow.Add(topUp, RecentTopUpCapacity) };

    /// <summary>How many ids <see cref="AppliedCdrs"/> holds.</summary>
    public int AppliedCount => AppliedWindow.Count;

    /// <summary>The billing period in which a call that started at <paramref name="callStart"/> is invoiced.</summary>
    public (string Label, DateTimeOffset Start, DateTimeOffset End) PeriodOf(DateTimeOffset callStart)
    {
        if (PeriodLabel is { } label && callStart >= PeriodStart && callStart < PeriodEnd)
        {
            return (label, PeriodStart, PeriodEnd);
        }

        var zone = BillingPeriod.FindTimeZone(Settings.TimeZone);
        var period = BillingPeriod.Containing(callStart, Settings.BillingDay, zone);
        return (period.Label(zone), period.Start, period.End);
    }

    /// <summary>Whether the period labelled <paramref name="label"/> has been closed by the invoice run.</summary>
    public bool IsClosed(string label) => ClosedThrough is { } closed && string.CompareOrdinal(label, closed) <= 0;

    /// <summary>Closes every period up to <paramref name="label"/>: later charges for them are late usage.</summary>
    public AccountState CloseThrough(string label) => IsClosed(label) ? this : this with { ClosedThrough = label };

    private ImmutableSortedDictionary<string, PeriodTotals> AddToTotals(ImmutableSortedDictionary<string, PeriodTotals> totals, in ChargeLine charge)
    {
        var (label, start, end) = PeriodOf(charge.CallStart);
        if (IsClosed(label))
        {
            // Its invoice is issued and immutable: the charge goes on the next invoice, the one of the first open
            // period, as usage from its own period. A bounded document keeps this whatever the age of the call.
            var zone = BillingPeriod.FindTimeZone(Settings.TimeZone);
            var openLabel = BillingPeriod.NextLabel(ClosedThrough!);
            BillingPeriod.TryForLabel(openLabel, Settings.BillingDay, zone, out var open);
            var host = totals.GetValueOrDefault(openLabel) ?? new PeriodTotals(openLabel, open.Start, open.End);
            totals = totals.SetItem(openLabel, host.AddLate(label, start, end, charge));
        }
        else
        {
            var current = totals.GetValueOrDefault(label) ?? new PeriodTotals(label, start, end);
            totals = totals.SetItem(label, current.Add(charge));
        }

        return Trim(totals);
    }

    /// <summary>Adds credit: the balance, the all-time top-ups and the current period's top-ups move together.</summary>
    public AccountState WithTopUp(decimal amount, DateTimeOffset now)
    {
        var rolled = RollPeriod(now);
        var label = rolled.PeriodLabel!;
        var current = rolled.Totals.GetValueOrDefault(label) ?? new PeriodTotals(label, rolled.PeriodStart, rolled.PeriodEnd);
        return rolled with
        {
            TopUps = rolled.TopUps + amount,
            Balance = rolled.Balance + amount,
            Totals = Trim(rolled.Totals.SetItem(label, current with { TopUps = current.TopUps + amount })),
        };
    }

    /// <summary>
    /// The balance when the period <paramref name="label"/> ended, as its statement shows it: the balance now, less
    /// what the periods from it onwards added (top-ups) and took (usage, late usage included). A closed period's
    /// totals never change, and every later movement lands in a later period, so the answer stays the same.
    /// </summary>
    public (decimal Opening, decimal Closing) StatementBalances(string label)
    {
        var onwards = Totals.Where(t => string.CompareOrdinal(t.Key, label) >= 0).Sum(t => t.Value.TopUps - t.Value.UsageAmount);
        var own = Totals.GetValueOrDefault(label);
        var opening = Balance - onwards;
        return (opening, opening + (own?.TopUps ?? 0m) - (own?.UsageAmount ?? 0m));
    }

    /// <summary>Only closed periods leave the document: the totals of a period not yet invoiced are all there is of it.</summary>
    private ImmutableSortedDictionary<string, PeriodTotals> Trim(ImmutableSortedDictionary<string, PeriodTotals> totals)
    {
        while (totals.Count > PeriodsKept && IsClosed(totals.Keys.First()))
        {
            totals = totals.Remove(totals.Keys.First());
        }

        return totals;
    }

    /// <summary>Moves to the billing period that contains <paramref name="now"/> when the current one has ended.</summary>
    public AccountState RollPeriod(DateTimeOffset now)
    {
        if (now < PeriodEnd)
        {
            return this;
        }

        var period = BillingPeriod.Containing(now, Settings);
        return this with { PeriodStart = period.Start, PeriodEnd = period.End, PeriodSpend = 0m, PeriodLabel = period.Label(BillingPeriod.FindTimeZone(Settings.TimeZone)) };
    }

    /// <summary>
    /// Stores the session's new state. The reserved total and the expiry bound follow it; a session that has just
    /// terminated joins the bounded list of closed sessions, and the oldest beyond <paramref name="closedKept"/>
    /// leaves the document (its durable record is in the session history).
    /// </summary>
    public AccountState WithSession(Session session, int closedKept = int.MaxValue)
    {
        var previous = Sessions.GetValueOrDefault(session.SessionId);
        var next = this with
        {
            Sessions = Sessions.SetItem(session.SessionId, session),
            Reserved = Reserved - (previous?.Reserved ?? 0m) + session.Reserved,
            NextExpiry = session.Status == SessionStatus.Active && (NextExpiry is null || session.ExpiresAt < NextExpiry) ? session.ExpiresAt : NextExpiry,
        };
        if (session.Status != SessionStatus.Terminated || previous?.Status == SessionStatus.Terminated)
        {
            return next;
        }

        var order = next.ClosedOrder.Enqueue(session.SessionId);
        var count = next.ClosedCount + 1;
        var sessions = next.Sessions;
        while (count > closedKept)
        {
            order = order.Dequeue(out var oldest);
            sessions = sessions.Remove(oldest);
            count--;
        }

        return next with { Sessions = sessions, ClosedOrder = order, ClosedCount = count };
    }

    /// <summary>
    /// The sweep's housekeeping: drops expired sessions older than <paramref name="retention"/> (their CDRs charge
    /// them) and makes <see cref="NextExpiry"/> exact.
    /// </summary>
    public AccountState Tidy(DateTimeOffset now, TimeSpan retention)
    {
        var stale = Sessions.Values
            .Where(s => s.Status == SessionStatus.Expired && (s.ClosedAt ?? s.ExpiresAt) + retention <= now)
            .Select(s => s.SessionId)
            .ToList();
        var sessions = stale.Count == 0 ? Sessions : Sessions.RemoveRange(stale);
        return this with { Sessions = sessions, NextExpiry = NextDue(sessions, retention) };
    }

    /// <summary>When the sweep must look at the account next: an active session's expiry, or an expired one's removal.</summary>
    private static DateTimeOffset? NextDue(ImmutableDictionary<string, Session> sessions, TimeSpan retention)
    {
        DateTimeOffset? earliest = null;
        foreach (var session in sessions.Values)
        {
            DateTimeOffset? due = session.Status switch
            {
                SessionStatus.Active => session.ExpiresAt,
                SessionStatus.Expired => (session.ClosedAt ?? session.ExpiresAt) + retention,
                _ => null,
            };
            if (due is not null && (earliest is null || due < earliest))
            {
                earliest = due;
            }
        }

        return earliest;
    }
}

/// <summary>A top-up remembered in the account document: its amount tells a retry from a conflicting reuse of the id.</summary>
public sealed record RecentTopUp(string TopUpId, decimal Amount);
