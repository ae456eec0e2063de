using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace ServerlessBilling.Core.Accounts;

/// <summary>Calls, billed seconds and amount charged, for one destination or a whole period.</summary>
public sealed record UsageTotals(int Calls, long BilledSeconds, decimal Amount)
{
    public static readonly UsageTotals Zero = new(0, 0, 0m);

    public UsageTotals Add(in ChargeLine charge) =>
        new(Calls + charge.Calls, BilledSeconds + charge.BilledSeconds, Amount + charge.Amount);
}

/// <summary>
/// What an account was charged in one billing period, by destination: the invoice is built from this, so an
/// invoice run reads one document per account, never the CDRs.
/// </summary>
/// <remarks>
/// <see cref="ByDestination"/> is a sorted table of flat leaves (<see cref="DestinationTotals"/>), and adding a charge to it
/// copies a leaf and the list of leaves. So the latest charges wait in a <see cref="DestinationLog"/> beside the table, appended to in place, and are
/// counted into the table together (one merge, new leaves only where they land), at most every <see cref="DestinationLog.FoldAfter"/> charges
/// or when <see cref="ByDestination"/> is read (the table then read is kept, and the next totals start from it). Each
/// destination's figures are added in the order the charges came, as one <see cref="UsageTotals.Add"/> after another
/// would: the table is the same whenever it is made.
/// </remarks>
public sealed record PeriodTotals
{
    private static readonly ImmutableSortedDictionary<string, PeriodTotals> NoLate =
        ImmutableSortedDictionary<string, PeriodTotals>.Empty.WithComparers(StringComparer.Ordinal);

    // What changes rarely (the label and bounds, the late usage, the top-ups) lies in one object that the versions of the
    // totals share, so that a charge makes smaller totals. Set only while totals are being made (see Own).
    private Frame _frame = Frame.Unset;

    // The figures of Total, held flat: a charge makes no UsageTotals of its own.
    private Figures _total;

    // ByDestination is _table with _pending's charges counted in; _read keeps that table once made (no part of equality).
    private DestinationTotals _table = DestinationTotals.Empty;
    private DestinationLog _pending;
    private FoldedTable _read;
    private BookCache _inBook;

    public PeriodTotals(string label, DateTimeOffset start, DateTimeOffset end) => (Label, Start, End) = (label, start, end);

    public string Label { get => _frame.Label; init => Own().Label = value; }

    public DateTimeOffset Start { get => _frame.Start; init => Own().Start = value; }

    public DateTimeOffset End { get => _frame.End; init => Own().End = value; }

    public UsageTotals Total
    {
        get => new(_total.Calls, _total.BilledSeconds, _total.Amount);
        init => _total = value is null ? default : new Figures(value.Calls, value.BilledSeconds, value.Amount);
    }

    public DestinationTotals ByDestination
    {
        get => _pending.Count == 0 ? _table : _read.Table ?? (_read = new FoldedTable(_pending.FoldInto(_table))).Table!;
        init => (_table, _pending, _read) = (value ?? DestinationTotals.Empty, default, default);
    }

    /// <summary>
    /// Usage of earlier periods that were already invoiced when it arrived, by the label of the period in which
    /// the call started ("late usage from 2026-10"). <see cref="Total"/> and <see cref="ByDestination"/> do not
    /// include it; this period's invoice carries it as separate sections.
    /// </summary>
    public ImmutableSortedDictionary<string, PeriodTotals> Late { get => _frame.Late; init => Own().Late = value; }

    /// <summary>Credit added in this period (top-ups, by when they were applied): a pre-paid statement shows it.</summary>
    public decimal TopUps { get => _frame.TopUps; init => Own().TopUps = value; }

    /// <summary>What the period's usage took from the balance: its own calls and the late usage it carries.</summary>
    public decimal UsageAmount => _total.Amount + Late.Values.Sum(l => l.Total.Amount);

    public void Deconstruct(out string label, out DateTimeOffset start, out DateTimeOffset end) => (label, start, end) = (Label, Start, End);

    public PeriodTotals Add(in ChargeLine charge) => With(new ReadOnlySpan<ChargeLine>(in charge));

    /// <summary>Adds <paramref name="charges"/>[<paramref name="first"/>..<paramref name="end"/>) as <see cref="Add"/> one by one would, building the totals once.</summary>
    internal PeriodTotals AddAll(IReadOnlyList<ChargeLine> charges, int first, int end) =>
        charges is List<ChargeLine> list ? With(CollectionsMarshal.AsSpan(list)[first..end]) : With(charges.Skip(first).Take(end - first).ToArray());

    /// <summary>Adds a charge for a call that started in the closed period <paramref name="from"/>.</summary>
    public PeriodTotals AddLate(string from, DateTimeOffset fromStart, DateTimeOffset fromEnd, in ChargeLine charge) => this with
    {
        Late = Late.SetItem(from, (Late.GetValueOrDefault(from) ?? new PeriodTotals(from, fromStart, fromEnd)).Add(charge)),
    };

    private PeriodTotals With(ReadOnlySpan<ChargeLine> charges)
    {
        var (calls, billedSeconds, amount) = (_total.Calls, _total.BilledSeconds, _total.Amount);
        foreach (ref readonly var charge in charges)
        {
            (calls, billedSeconds, amount) = (calls + charge.Calls, billedSeconds + charge.BilledSeconds, amount + charge.Amount);
        }

        // A table already made for a reader is where the next totals start: its charges are counted once.
        var (table, pending) = _read.Table is { } read ? (read, default(DestinationLog)) : (_table, _pending);
        if (!pending.TryAppend(charges, out var appended))
        {
            (table, appended) = (DestinationLog.FoldInto(table, pending, charges), default);
        }

        return this with { _total = new Figures(calls, billedSeconds, amount), _table = table, _pending = appended, _read = default, _inBook = default };
    }

    /// <summary>
    /// The frame this totals' initializers may set: its own, made on the first set (totals made by <c>with</c> start with
    /// their original's, which is never changed again).
    /// </summary>
    private Frame Own() => ReferenceEquals(_frame.Owner, this) ? _frame : _frame = _frame.CopyFor(this);

    /// <summary>Calls, billed seconds and amount, flat.</summary>
    private readonly record struct Figures(int Calls, long BilledSeconds, decimal Amount);

    /// <summary>The members of the totals that rarely change; equal when they are (the owner aside), as the record's own members were.</summary>
    private sealed class Frame : IEquatable<Frame>
    {
        public static readonly Frame Unset = new();

        public PeriodTotals? Owner { get; private init; }

        public string Label { get; set; } = null!;

        public DateTimeOffset Start { get; set; }

        public DateTimeOffset End { get; set; }

        public ImmutableSortedDictionary<string, PeriodTotals> Late { get; set; } = NoLate;

        public decimal TopUps { get; set; }

        public Frame CopyFor(PeriodTotals owner) => new() { Owner = owner, Label = Label, Start = Start, End = End, Late = Late, TopUps = TopUps };

        public bool Equals(Frame? other) =>
            other is not null && (ReferenceEquals(this, other) || (Label == other.Label && Start.Equals(other.Start) && End.Equals(other.End)
                && Equals(Late, other.Late) && TopUps == other.TopUps));

        public override bool Equals(object? obj) => Equals(obj as Frame);

        public override int GetHashCode() => HashCode.Combine(Label, Start, End, Late, TopUps);
    }

    /// <summary>
    /// <paramref name="others"/> with these totals set under their label: the totals of a book whose current period's
    /// totals these are (see <see cref="PeriodBook"/>), made once for the dictionary of the others it is asked with.
    /// </summary>
    internal ImmutableSortedDictionary<string, PeriodTotals> InBook(ImmutableSortedDictionary<string, PeriodTotals> others)
    {
        if (_inBook.Made is { } made && ReferenceEquals(made.Owner, this) && ReferenceEquals(made.Others, others))
        {
            return made.Totals;
        }

        var totals = others.SetItem(Label, this);
        _inBook = new BookCache(new MadeBook(this, others, totals));
        return totals;
    }

    /// <summary>A book's dictionary made with these totals in it, for the dictionary of the others it was made from.</summary>
    private sealed class MadeBook(PeriodTotals owner, ImmutableSortedDictionary<string, PeriodTotals> others, ImmutableSortedDictionary<string, PeriodTotals> totals)
    {
        public PeriodTotals Owner { get; } = owner;

        public ImmutableSortedDictionary<string, PeriodTotals> Others { get; } = others;

        public ImmutableSortedDictionary<string, PeriodTotals> Totals { get; } = totals;
    }

    /// <summary>The dictionary made by <see cref="InBook"/>: a cache, equal whatever it holds.</summary>
    private readonly struct BookCache(MadeBook? made) : IEquatable<BookCache>
    {
        public MadeBook? Made { get; } = made;

        public bool Equals(BookCache other) => true;

        public override bool Equals(object? obj) => obj is BookCache;

        public override int GetHashCode() => 0;
    }

    /// <summary>The table made for a reader of <see cref="ByDestination"/>: a cache, equal whatever it holds.</summary>
    private readonly struct FoldedTable(DestinationTotals? table) : IEquatable<FoldedTable>
    {
        public DestinationTotals? Table { get; } = table;

        public bool Equals(FoldedTable other) => true;

        public override bool Equals(object? obj) => obj is FoldedTable;

        public override int GetHashCode() => 0;
    }
}

/// <summary>
/// The charges of a <see cref="PeriodTotals"/> not yet counted into its table of destinations, oldest first, at most
/// <see cref="FoldAfter"/>. They lie in a line of small arrays shared by the versions of the totals, as the entries of an
/// <see cref="IdWindow{T}"/> do: a version sees its newest chunk up to a count, and the chunks before it up to the
/// counts they were linked at; an append writes into the free slots after its own (claimed once, so that two totals made
/// from the same version never write the same slot: the second starts a chunk of its own). A slot is never written
/// again once claimed, so every version keeps reading its own charges.
/// </summary>
internal readonly record struct DestinationLog
{
    /// <summary>How many charges wait at most; one more and they are all counted into the table.</summary>
    public const int FoldAfter = 64;

    private readonly Chunk? _last;
    private readonly int _used;

    private DestinationLog(Chunk last, int used, int count) => (_last, _used, Count) = (last, used, count);

    public int Count { get; }

    /// <summary>This log with <paramref name="charges"/> after it; false (and nothing written) when that would hold more than <see cref="FoldAfter"/>.</summary>
    public bool TryAppend(ReadOnlySpan<ChargeLine> charges, out DestinationLog appended)
    {
        var count = Count + charges.Length;
        if (count > FoldAfter)
        {
            appended = default;
            return false;
        }

        if (charges.IsEmpty)
        {
            appended = this;
            return true;
        }

        if (_last is { } last && last.TryClaim(_used, charges))
        {
            appended = new DestinationLog(last, _used + charges.Length, count);
            return true;
        }

        // A new chunk follows ours: when ours is full, as long as the log (so that a line of totals grows it geometrically);
        // when another version took the slots after ours (a retried step), just long enough.
        var size = _last is { } full && _used < full.Slots.Length ? charges.Length : Math.Max(charges.Length, Math.Min(count, FoldAfter));
        var chunk = new Chunk(size, _last, _used);
        chunk.TryClaim(0, charges);
        appended = new DestinationLog(chunk, charges.Length, count);
        return true;
    }

    /// <summary><paramref name="table"/> with this log's charges counted in.</summary>
    public DestinationTotals FoldInto(DestinationTotals table) => FoldInto(table, this, []);

    /// <summary>
    /// <paramref name="table"/> with the charges of <paramref name="log"/>, then <paramref name="more"/>, counted in: each
    /// destination's figures summed in the order the charges came, from what the table held, and merged into one new table.
    /// </summary>
    public static DestinationTotals FoldInto(DestinationTotals table, DestinationLog log, ReadOnlySpan<ChargeLine> more)
    {
        var sums = Sums.ForThisThread(table);
        var segments = sums.Segments;
        var (at, count) = (log._last, log._used);
        while (at is { } chunk)
        {
            segments.Add((chunk, count));
            (at, count) = (chunk.Previous, chunk.PreviousCount);
        }

        for (var s = segments.Count - 1; s >= 0; s--)
        {
            var (chunk, used) = segments[s];
            foreach (ref readonly var charge in chunk.Slots.AsSpan(0, used))
            {
                sums.Add(charge.Destination, charge.Calls, charge.BilledSeconds, charge.Amount);
            }
        }

        foreach (ref readonly var charge in more)
        {
            sums.Add(charge.Destination, charge.Calls, charge.BilledSeconds, charge.Amount);
        }

        return sums.IntoTable();
    }

    private sealed class Chunk(int size, Chunk? previous, int previousCount)
    {
        public readonly DestinationSum[] Slots = new DestinationSum[size];

        /// <summary>The chunk before this one, and how many of its slots come before this one's.</summary>
        public readonly Chunk? Previous = previous;
        public readonly int PreviousCount = previousCount;

        private int _claimed;

        /// <summary>Takes the slots from <paramref name="slot"/> on for <paramref name="charges"/> if no version took them before; false when one did or they do not fit.</summary>
        public bool TryClaim(int slot, ReadOnlySpan<ChargeLine> charges)
        {
            if (slot + charges.Length > Slots.Length || Interlocked.CompareExchange(ref _claimed, slot + charges.Length, slot) != slot)
            {
                return false;
            }

            foreach (ref readonly var charge in charges)
            {
                Slots[slot++] = new DestinationSum(charge.Destination, charge.Calls, charge.BilledSeconds, charge.Amount);
            }

            return true;
        }
    }

    /// <summary>A fold's working sums by destination, kept per thread (a fold never yields) and left empty.</summary>
    private sealed class Sums
    {
        private static readonly Comparison<DestinationSum> ByDestination = (a, b) => string.CompareOrdinal(a.Destination, b.Destination);

        [ThreadStatic]
        private static Sums? _current;

        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly List<DestinationSum> _sums = [];
        private DestinationTotals _table = DestinationTotals.Empty;
        private int _added;

        public List<(Chunk Chunk, int Used)> Segments { get; } = [];

        public static Sums ForThisThread(DestinationTotals table)
        {
            var sums = _current ??= new Sums();
            sums.Clear();
            sums._table = table;
            return sums;
        }

        private void Clear()
        {
            _table = DestinationTotals.Empty;
            _index.Clear();
            _sums.Clear();
            _added = 0;
            Segments.Clear();
        }

        /// <summary>Adds a charge's figures to its destination's sum, which starts from the table's (or zero's) as <see cref="UsageTotals.Add"/> would.</summary>
        public void Add(string destination, int calls, long billedSeconds, decimal amount)
        {
            if (!_index.TryGetValue(destination, out var at))
            {
                var found = _table.TryGetSum(destination, out var held);
                (at, _index[destination]) = (_sums.Count, _sums.Count);
                _sums.Add(found ? held : new DestinationSum(destination, 0, 0, 0m));
                _added += found ? 0 : 1;
            }

            ref var sum = ref CollectionsMarshal.AsSpan(_sums)[at];
            sum = sum.Plus(calls, billedSeconds, amount);
        }

        /// <summary>The table with every sum set (one merge of the sums, sorted, into its leaves); the sums are cleared.</summary>
        public DestinationTotals IntoTable()
        {
            var sums = CollectionsMarshal.AsSpan(_sums);
            sums.Sort(ByDestination);
            var table = _table.With(sums, _added);
            Clear();
            return table;
        }
    }
}

/// <summary>
/// One movement of money on an account for a call: the amount (a delta, for interim commits), the billed seconds
/// it adds, whether it completes a call, the destination and the call's start (which decides the period).
/// </summary>
public readonly record struct ChargeLine(decimal Amount, long BilledSeconds, int Calls, string Destination, DateTimeOffset CallStart);
