using System.Collections.Immutable;

namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// An account's billing periods: the current one (its bounds, label and the spend that counts against a post-paid
/// limit), the usage totals that invoices are built from, and how far the invoice run has closed them. The periods
/// follow the account's billing day and time zone (<see cref="AccountSettings"/>), which every rule that needs them takes.
/// </summary>
public readonly record struct PeriodBook
{
    /// <summary>How many billing periods of totals are kept (the current one and those before it), each with all its parts.</summary>
    public const int PeriodsKept = 3;

    private static readonly ImmutableSortedDictionary<string, PeriodTotals> NoTotals =
        ImmutableSortedDictionary<string, PeriodTotals>.Empty.WithComparers(StringComparer.Ordinal);

    // The totals of every period but the current one's, which lies beside them (the head, once charged) so that a charge
    // of the current period makes new totals for it and no new dictionary; the dictionary with the head in it is made when
    // read, and kept on the head. A book read from JSON has no head: its first charge of the current period takes it out.
    // The others change about once a period too, so they lie with the bounds.
    private ImmutableSortedDictionary<string, PeriodTotals>? Stored
    {
        get => Bounds.Stored;
        init => Bounds = ReferenceEquals(value, Bounds.Stored) ? Bounds : Bounds with { Stored = value };
    }

    private PeriodTotals? Head { get; init; }

    // The bounds of the current period and how far the invoice run has closed: they change once a period, so they lie in
    // one object the versions of the book share (a step copies a smaller document).
    private Bounded Bounds { get => _bounds ?? Bounded.None; init => _bounds = value; }

    private readonly Bounded? _bounds;

    /// <summary>Start of the current billing period, the one <see cref="Spend"/> counts.</summary>
    public DateTimeOffset Start { get => Bounds.Start; internal init => Bounds = Bounds with { Start = value }; }

    public DateTimeOffset End { get => Bounds.End; internal init => Bounds = Bounds with { End = value }; }

    /// <summary>What was committed in the current period, whatever start time the switch reported: the exposure against a post-paid limit.</summary>
    public decimal Spend { get; internal init; }

    /// <summary>The label of the current period ("2026-11"), kept so that the hot path needs no time-zone work.</summary>
    public string? Label { get => Bounds.Label; internal init => Bounds = Bounds with { Label = value }; }

    /// <summary>
    /// The latest billing period the invoice run has closed ("2026-10"), null before the first. Its totals, and
    /// those of every period before it, never change again: a charge for a call that started in one of them is
    /// late usage, counted in the next open period.
    /// </summary>
    public string? ClosedThrough { get => Bounds.ClosedThrough; internal init => Bounds = Bounds with { ClosedThrough = value }; }

    /// <summary>Usage totals of the latest billing periods, by period label ("2026-11"). Periods not yet closed are never dropped.</summary>
    public ImmutableSortedDictionary<string, PeriodTotals> Totals
    {
        get => Head is { } head ? head.InBook(Others) : Others;
        internal init => (Stored, Head) = (value, null);
    }

    private ImmutableSortedDictionary<string, PeriodTotals> Others => Stored ?? NoTotals;

    /// <summary>
    /// The latest changes of the account's mode, oldest first (see <see cref="ModeHistory"/>); null when it never changed,
    /// as in every document stored before modes were kept per period: then every period has the mode of the settings.
    /// </summary>
    public IReadOnlyList<ModeChange>? ModeChanges
    {
        get => Bounds.Modes.Items;
        internal init => Bounds = Bounds with { Modes = new ModeHistory(value) };
    }

    /// <summary>The mode the account had at <paramref name="instant"/>: the mode of the period (or part) starting then.</summary>
    public AccountMode ModeAt(DateTimeOffset instant, AccountSettings settings) => Bounds.Modes.At(instant, settings.Mode);

    /// <summary>The mode of the period (or part) whose totals are <paramref name="totals"/>: its document is a statement when pre-paid, else an invoice.</summary>
    public AccountMode ModeOf(PeriodTotals totals, AccountSettings settings) => ModeAt(totals.Start, settings);

    /// <summary>Whether a change of mode now can end the current period as a part (a period has at most <see cref="BillingPeriod.MaxParts"/>).</summary>
    public bool CanChangeMode(DateTimeOffset now) => now <= Start || (Label is { } label && BillingPeriod.NextPart(label) is not null);

    /// <summary>
    /// The account's mode changed at <paramref name="now"/> from <paramref name="from"/> (the book rolled to now): the
    /// current period ends there, a part with its own totals and its own document (as a new billing day ends a period),
    /// and the next part of the same billing period runs from now to the period's end under the new mode, its spend
    /// counted afresh. Its label is the period's with the part's number ("2026-11.02"). A call belongs to the part in
    /// which it started, whenever its charge comes. At the very start of a part nothing ran under the old mode: the
    /// part takes the new mode and is not split.
    /// </summary>
    internal PeriodBook ChangeMode(DateTimeOffset now, AccountMode from)
    {
        var modes = Bounds.Modes.Add(new ModeChange(now, from));
        if (now <= Start || Label is not { } label || BillingPeriod.NextPart(label) is not { } next)
        {
            return this with { Bounds = Bounds with { Modes = modes } };
        }

        // The new part's totals are made now, empty, not with its first charge: a call of the part whose CDR comes after
        // the period has ended finds its part by them; without them it went to the period the settings give, whose
        // totals are the first part's, and was billed by the other mode's document (a post-paid call on a statement).
        var ended = (Totals.GetValueOrDefault(label) ?? new PeriodTotals(label, Start, End)) with { End = now };
        var totals = Totals.SetItem(label, ended);
        return this with
        {
            Bounds = new Bounded(now, End, next, ClosedThrough) { Stored = Stored, Modes = modes },
            Spend = 0m,
            Totals = totals.ContainsKey(next) ? totals : totals.SetItem(next, new PeriodTotals(next, now, End)),
        };
    }

    /// <summary>The book of an account opened at <paramref name="now"/>: the period containing it, nothing spent.</summary>
    public static PeriodBook Open(DateTimeOffset now, AccountSettings settings) => default(PeriodBook).MoveTo(now, settings);

    /// <summary>Moves to the billing period that contains <paramref name="now"/> when the current one has ended.</summary>
    public PeriodBook Roll(DateTimeOffset now, AccountSettings settings) => now < End ? this : MoveTo(now, settings);

    /// <summary>
    /// New settings moved the billing day or time zone: the current period now ends where the new settings end
    /// the period containing <paramref name="now"/>, and the next roll starts from there.
    /// </summary>
    public PeriodBook Rebill(DateTimeOffset now, AccountSettings settings)
    {
        var end = BillingPeriod.Containing(now, settings).End;
        return (this with { End = end }).Bound(Label, end);
    }

    /// <summary>
    /// The billing period in which a call that started at <paramref name="callStart"/> is invoiced: the current one, or a
    /// period (or part) whose totals hold that instant, not yet invoiced or already invoiced (then the call is late usage
    /// of it): its bounds are the ones it was opened with, which a new billing day or time zone does not move. Else the
    /// period the settings give: after a new billing day that period may overlap the ones the book ran, so the book's
    /// own bounds come first.
    /// </summary>
    public (string Label, DateTimeOffset Start, DateTimeOffset End) PeriodOf(DateTimeOffset callStart, AccountSettings settings)
    {
        if (Label is { } label && callStart >= Start && callStart < End)
        {
            return (label, Start, End);
        }

        if ((HoldingTotals(callStart, closed: false) ?? HoldingTotals(callStart, closed: true)) is { } held)
        {
            return (held.Label, held.Start, held.End);
        }

        var zone = BillingPeriod.FindTimeZone(settings.TimeZone);
        var period = BillingPeriod.Containing(callStart, settings.BillingDay, zone);
        var (found, start, end) = BeforeCurrent(period.Label(zone), period.Start, period.End);
        return (found, Clip(start, callStart, later: false), Clip(end, callStart, later: true));
    }

    /// <summary>
    /// <paramref name="bound"/> moved, when the totals of the book run past it, to the nearest end of totals that ended
    /// by <paramref name="instant"/> (a start) or the nearest start of totals that start after it (an end): a period the
    /// settings give a call that no totals hold fills only the gap between the periods the book ran (each of one mode).
    /// </summary>
    private DateTimeOffset Clip(DateTimeOffset bound, DateTimeOffset instant, bool later)
    {
        foreach (var (_, totals) in Totals)
        {
            if (totals.Start >= totals.End)
            {
                continue; // late usage only: no time of its own
            }

            bound = later
                ? totals.Start > instant && totals.Start < bound ? totals.Start : bound
                : totals.End <= instant && totals.End > bound ? totals.End : bound;
        }

        return bound;
    }

    /// <summary>
    /// The bounds the settings give a period that the book holds no totals of, made to end where the current period
    /// starts when they run into it: a new billing day or time zone tiles the calendar anew, and the period it gives a day
    /// before the current period may overlap it, even carry its label. Totals with such bounds would hold calls of the
    /// current period (the first totals found holding a call take it, to their own document, maybe of the other mode),
    /// and totals under the current label with an earlier start would take the mode of that start. A period that would
    /// carry the current label is the month before it.
    /// </summary>
    private (string Label, DateTimeOffset Start, DateTimeOffset End) BeforeCurrent(string label, DateTimeOffset start, DateTimeOffset end)
    {
        if (Label is not { } current || start >= Start || end <= Start)
        {
            return (label, start, end);
        }

        return (label == current ? BillingPeriod.PreviousLabel(BillingPeriod.MonthOf(current)) ?? label : label, start, Start);
    }

    /// <summary>
    /// New totals for the first open period after the closed ones, <paramref name="label"/>, to host late usage: the
    /// current period's bounds when it is that period, else the bounds the settings give it (<paramref name="period"/>)
    /// cut to the gap between the periods the book ran, which a new billing day may have drawn it over (its totals would
    /// then hold calls of those periods). Where there is no gap, it has no time of its own, as late usage alone.
    /// </summary>
    private PeriodTotals Hosting(string label, BillingPeriod period)
    {
        if (label == Label)
        {
            return new PeriodTotals(label, Start, End);
        }

        var (_, start, end) = BeforeCurrent(label, period.Start, period.End);
        start = Clip(start, Start, later: false);
        end = Clip(end, start.AddTicks(-1), later: true);
        return new PeriodTotals(label, start, start > end ? start : end);
    }

    /// <summary>The totals of a period, not yet closed or (<paramref name="closed"/>) closed, whose bounds hold <paramref name="instant"/>, or null.</summary>
    private PeriodTotals? HoldingTotals(DateTimeOffset instant, bool closed)
    {
        if (Head is { } head && IsClosed(head.Label) == closed && instant >= head.Start && instant < head.End)
        {
            return head;
        }

        foreach (var (label, totals) in Others)
        {
            if (IsClosed(label) == closed && instant >= totals.Start && instant < totals.End)
            {
                return totals;
            }
        }

        return null;
    }

    /// <summary>Whether the period labelled <paramref name="label"/> has been closed by the invoice run.</summary>
    public bool IsClosed(string label) => ClosedThrough is { } closed && string.CompareOrdinal(label, closed) <= 0;

    /// <summary>Closes every period up to <paramref name="label"/>: later charges for them are late usage.</summary>
    public PeriodBook CloseThrough(string label) => IsClosed(label) ? this : this with { ClosedThrough = label };

    /// <summary>
    /// Counts a charge: the current period's spend, and the totals of the period in which the call started (or, when
    /// that period is closed, the first open period's, as late usage). The book must have been rolled to now.
    /// </summary>
    public PeriodBook Add(in ChargeLine charge, AccountSettings settings)
    {
        var (label, start, end) = PeriodOf(charge.CallStart, settings);
        if (IsClosed(label) || (Head is { } held && IsClosed(held.Label)))
        {
            return this with { Spend = Spend + SpentNow(charge, settings), Totals = AddToTotals(charge, settings) };
        }

        if (label == Label)
        {
            // The current period's: its totals are (or become) the head.
            var head = Head ?? Others.GetValueOrDefault(label) ?? new PeriodTotals(label, start, end);
            var others = Head is null ? Others.Remove(label) : Others;
            return this with { Spend = Spend + SpentNow(charge, settings), Stored = Trim(others, label), Head = head.Add(charge) };
        }

        var current = Others.GetValueOrDefault(label) ?? new PeriodTotals(label, start, end);
        return this with { Spend = Spend + SpentNow(charge, settings), Stored = Trim(Others.SetItem(label, current.Add(charge)), Head?.Label) };
    }

    /// <summary>
    /// Counts <paramref name="charges"/> in order, to the same book as <see cref="Add"/> one by one: a run of charges for
    /// the same open period builds that period's totals once; late usage (a closed period's) goes one by one through
    /// <see cref="Add"/>. The book must have been rolled to now.
    /// </summary>
    internal PeriodBook AddAll(IReadOnlyList<ChargeLine> charges, AccountSettings settings)
    {
        var book = this;
        var first = 0;
        while (first < charges.Count)
        {
            var (label, start, end) = book.PeriodOf(charges[first].CallStart, settings);
            // A closed period's charge is late usage, counted one by one. So is a call its own period does not contain
            // (it cannot happen, since BillingPeriod.Containing checks its bounds; were it to, the run below would be
            // empty and this loop would never move on, holding the account's writes).
            var call = charges[first].CallStart;
            if (book.IsClosed(label) || call < start || call >= end)
            {
                book = book.Add(charges[first++], settings);
                continue;
            }

            var spend = book.Spend;
            var last = first;
            for (; last < charges.Count && charges[last].CallStart >= start && charges[last].CallStart < end; last++)
            {
                spend += book.SpentNow(charges[last], settings);
            }

            var current = book.Totals.GetValueOrDefault(label) ?? new PeriodTotals(label, start, end);
            book = book with { Spend = spend, Totals = book.Trim(book.Totals.SetItem(label, current.AddAll(charges, first, last)), head: null) };
            first = last;
        }

        return book;
    }

    /// <summary>Counts credit added now in the current period's totals (a pre-paid statement shows it). The book must have been rolled to now.</summary>
    public PeriodBook AddTopUp(decimal amount)
    {
        var label = Label!;
        var current = Totals.GetValueOrDefault(label) ?? new PeriodTotals(label, Start, End);
        return this with { Totals = Trim(Totals.SetItem(label, current with { TopUps = current.TopUps + amount }), head: null) };
    }

    private PeriodBook MoveTo(DateTimeOffset now, AccountSettings settings)
    {
        var period = BillingPeriod.Containing(now, settings);
        var label = period.Label(BillingPeriod.FindTimeZone(settings.TimeZone));
        if (Label is { } current && current.Length > label.Length && BillingPeriod.MonthOf(current) == label)
        {
            // A new billing day started the next period in the month of a part of the current one: it continues that
            // part, as it would continue a period of the same label, so that labels never go back.
            label = current;
        }

        return (this with
        {
            Bounds = new Bounded(period.Start, period.End, label, ClosedThrough) { Stored = Stored, Modes = Bounds.Modes },
            Spend = 0m,
            Totals = Totals,
        }).Bound(label, period.End);
    }

    /// <summary>
    /// The open totals labelled <paramref name="label"/> made to end at <paramref name="end"/>: a new billing day moved the
    /// end of the period they count, or gave the next period the same label (both start in one month), and then the two
    /// are one period, invoiced once. The invoice shows the bounds its totals hold.
    /// </summary>
    private PeriodBook Bound(string? label, DateTimeOffset end) =>
        label is not null && !IsClosed(label) && Totals.GetValueOrDefault(label) is { } totals && totals.End != end
            ? this with { Totals = Totals.SetItem(label, totals with { End = end }) }
            : this;

    private ImmutableSortedDictionary<string, PeriodTotals> AddToTotals(in ChargeLine charge, AccountSettings settings)
    {
        var totals = Totals;
        var (label, start, end) = PeriodOf(charge.CallStart, settings);
        if (IsClosed(label))
        {
            if (Bounds.Modes.Items is not null && TotalsHolding(totals, charge.CallStart) is { } part)
            {
                // The mode changed: the late section names the part the call started in, as its document did.
                (label, start, end) = part;
            }

            // Its invoice is issued and immutable: the charge goes on the next invoice, the one of the first open
            // period, as usage from its own period. A bounded document keeps this whatever the age of the call.
            var zone = BillingPeriod.FindTimeZone(settings.TimeZone);
            var openLabel = BillingPeriod.NextLabel(BillingPeriod.MonthOf(ClosedThrough!));
            BillingPeriod.TryForLabel(openLabel, settings.BillingDay, zone, out var open);
            var host = totals.GetValueOrDefault(openLabel) ?? Hosting(openLabel, open);
            if (Bounds.Modes.Items is not null
                && (FirstOpen(totals, ModeAt(charge.CallStart, settings), settings) ?? LateOnly(totals, charge.CallStart) ?? FirstOpen(totals, null, settings)) is { } first)
            {
                // The mode changed: the call goes on the first open document of the mode it started under, so that a
                // pre-paid call, paid from the balance, is not invoiced; failing one, on a document of its own.
                host = first;
            }

            totals = totals.SetItem(host.Label, host.AddLate(label, start, end, charge));
        }
        else
        {
            var current = totals.GetValueOrDefault(label) ?? new PeriodTotals(label, start, end);
            totals = totals.SetItem(label, current.Add(charge));
        }

        return Trim(totals, head: null);
    }

    /// <summary>
    /// What a charge adds to <see cref="Spend"/>: all of it, unless the mode changed since its call started (it belongs
    /// to a part of the other mode, whose document bills it): a pre-paid call, paid from the balance, is not post-paid exposure.
    /// </summary>
    private decimal SpentNow(in ChargeLine charge, AccountSettings settings) =>
        Bounds.Modes.Items is null || ModeAt(charge.CallStart, settings) == ModeAt(Start, settings) ? charge.Amount : 0m;

    /// <summary>The totals, closed or open, whose bounds hold <paramref name="instant"/>; null when none do.</summary>
    private static PeriodTotals? TotalsHolding(ImmutableSortedDictionary<string, PeriodTotals> totals, DateTimeOffset instant)
    {
        foreach (var (_, held) in totals)
        {
            if (instant >= held.Start && instant < held.End)
            {
                return held;
            }
        }

        return null;
    }

    /// <summary>
    /// New totals for late usage alone, when no open period has the mode of a late call that started at
    /// <paramref name="callStart"/> (the account changed mode since): the next part of the latest closed period's month,
    /// with no time of its own, at the call's start, so that its mode is the call's and no call's start falls in it.
    /// Null when the running period is in that month too (its next part is its own) or the month has no part left.
    /// </summary>
    private PeriodTotals? LateOnly(ImmutableSortedDictionary<string, PeriodTotals> totals, DateTimeOffset callStart)
    {
        var month = BillingPeriod.MonthOf(ClosedThrough!);
        if (Label is not { } current || BillingPeriod.MonthOf(current) == month)
        {
            return null;
        }

        var last = ClosedThrough!;
        foreach (var (label, _) in totals)
        {
            if (BillingPeriod.MonthOf(label) == month && string.CompareOrdinal(label, last) > 0)
            {
                last = label;
            }
        }

        return BillingPeriod.NextPart(last) is { } part ? new PeriodTotals(part, callStart, callStart) : null;
    }

    /// <summary>
    /// The totals of the first open period (or part), the current one included, of <paramref name="mode"/> (null: of
    /// either); null when there is none.
    /// </summary>
    private PeriodTotals? FirstOpen(ImmutableSortedDictionary<string, PeriodTotals> totals, AccountMode? mode, AccountSettings settings)
    {
        foreach (var (label, open) in totals)
        {
            if (!IsClosed(label) && (mode is null || ModeOf(open, settings) == mode))
            {
                return open;
            }
        }

        // The current period when it has no totals yet (its totals, when it has them, were looked at above: new ones
        // set in their place would drop every charge they hold).
        return Label is { } current && !IsClosed(current) && !totals.ContainsKey(current) && (mode is null || ModeAt(Start, settings) == mode)
            ? new PeriodTotals(current, Start, End)
            : null;
    }

    /// <summary>
    /// Only closed periods leave the book: the totals of a period not yet invoiced are all there is of it. With the head
    /// (labelled <paramref name="head"/>, open) beside <paramref name="totals"/>, as if it were among them. The periods
    /// kept are months, each with all its parts: a part is closed by the run that issues it, before its document is
    /// written, and a run that stops in between finishes it from these totals, which must still be there however many
    /// parts the month has.
    /// </summary>
    private ImmutableSortedDictionary<string, PeriodTotals> Trim(ImmutableSortedDictionary<string, PeriodTotals> totals, string? head)
    {
        while (totals.Count + (head is null ? 0 : 1) > PeriodsKept && OldestKey(totals) is { } oldest
            && (head is null || string.CompareOrdinal(oldest, head) < 0) && IsClosed(oldest) && Months(totals, head) > PeriodsKept)
        {
            totals = totals.Remove(oldest);
        }

        return totals;
    }

    /// <summary>How many months the labels of <paramref name="totals"/> and <paramref name="head"/> name (the parts of a month count once).</summary>
    private static int Months(ImmutableSortedDictionary<string, PeriodTotals> totals, string? head)
    {
        var months = 0;
        string? previous = null;
        var headSeen = head is null;
        foreach (var entry in totals)
        {
            if (previous is null || !SameMonth(previous, entry.Key))
            {
                months++;
            }

            headSeen = headSeen || SameMonth(head!, entry.Key);
            previous = entry.Key;
        }

        return headSeen ? months : months + 1;
    }

    private static bool SameMonth(string label, string other) => string.CompareOrdinal(label, 0, other, 0, 7) == 0;

    // The dictionary's own enumerator is a struct: no iterator is allocated, as Keys.First() would.
    private static string? OldestKey(ImmutableSortedDictionary<string, PeriodTotals> totals)
    {
        foreach (var entry in totals)
        {
            return entry.Key;
        }

        return null;
    }

    /// <summary>The bounds and label of the current period, the latest closed period, and the totals of the others (see <see cref="Stored"/>).</summary>
    private sealed record Bounded(DateTimeOffset Start, DateTimeOffset End, string? Label, string? ClosedThrough)
    {
        public static readonly Bounded None = new(default, default, null, null);

        public ImmutableSortedDictionary<string, PeriodTotals>? Stored { get; init; }

        public ModeHistory Modes { get; init; }
    }
}
