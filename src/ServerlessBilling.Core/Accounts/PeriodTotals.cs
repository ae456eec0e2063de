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
/// <see cref="ByDestination"/> is a sorted tree, and adding a charge to it copies the path to its destination (most of a
/// kilobyte on a document with a hundred destinations). So the latest charges wait in a <see cref="DestinationLog"/>
/// beside the tree, appended to in place, and are counted into the tree together, at most every
/// <see cref="DestinationLog.FoldAfter"/> charges or when <see cref="ByDestination"/> is read (the tree then read is kept,
/// and the next totals start from it). Each destination's figures are added in the order the charges came, as one
/// <see cref="UsageTotals.Add"/> after another would: the tree is the same whenever it is made.
/// </remarks>
public sealed record PeriodTotals(string Label, DateTimeOffset Start, DateTimeOffset End)
{
    private static readonly ImmutableSortedDictionary<string, UsageTotals> NoDestinations =
        ImmutableSortedDictionary<string, UsageTotals>.Empty.WithComparers(StringComparer.Ordinal);

    // ByDestination is _tree with _pending's charges counted in; _read keeps that tree once made (no part of equality).
    private ImmutableSortedDictionary<string, UsageTotals> _tree = NoDestinations;
    private DestinationLog _pending;
    private FoldedTree _read;

    public UsageTotals Total { get; init; } = UsageTotals.Zero;

    public ImmutableSortedDictionary<string, UsageTotals> ByDestination
    {
        get => _pending.Count == 0 ? _tree : _read.Tree ?? (_read = new FoldedTree(_pending.FoldInto(_tree))).Tree!;
        init => (_tree, _pending, _read) = (value, default, default);
    }

    /// <summary>
    /// Usage of earlier periods that were already invoiced when it arrived, by the label of the period in which
    /// the call started ("late usage from 2026-10"). <see cref="Total"/> and <see cref="ByDestination"/> do not
    /// include it; this period's invoice carries it as separate sections.
    /// </summary>
    public ImmutableSortedDictionary<string, PeriodTotals> Late { get; init; } =
        ImmutableSortedDictionary<string, PeriodTotals>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Credit added in this period (top-ups, by when they were applied): a pre-paid statement shows it.</summary>
    public decimal TopUps { get; init; }

    /// <summary>What the period's usage took from the balance: its own calls and the late usage it carries.</summary>
    public decimal UsageAmount => Total.Amount + Late.Values.Sum(l => l.Total.Amount);

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
        var (calls, billedSeconds, amount) = (Total.Calls, Total.BilledSeconds, Total.Amount);
        foreach (ref readonly var charge in charges)
        {
            (calls, billedSeconds, amount) = (calls + charge.Calls, billedSeconds + charge.BilledSeconds, amount + charge.Amount);
        }

        // A tree already made for a reader is where the next totals start: its charges are counted once.
        var (tree, pending) = _read.Tree is { } read ? (read, default(DestinationLog)) : (_tree, _pending);
        if (!pending.TryAppend(charges, out var appended))
        {
            (tree, appended) = (DestinationLog.FoldInto(tree, pending, charges), default);
        }

        return this with { Total = new UsageTotals(calls, billedSeconds, amount), _tree = tree, _pending = appended, _read = default };
    }

    /// <summary>The tree made for a reader of <see cref="ByDestination"/>: a cache, equal whatever it holds.</summary>
    private readonly struct FoldedTree(ImmutableSortedDictionary<string, UsageTotals>? tree) : IEquatable<FoldedTree>
    {
        public ImmutableSortedDictionary<string, UsageTotals>? Tree { get; } = tree;

        public bool Equals(FoldedTree other) => true;

        public override bool Equals(object? obj) => obj is FoldedTree;

        public override int GetHashCode() => 0;
    }
}

/// <summary>
/// The charges of a <see cref="PeriodTotals"/> not yet counted into its tree of destinations, oldest first, at most
/// <see cref="FoldAfter"/>. They lie in a line of small arrays shared by the versions of the totals, as the entries of an
/// <see cref="IdWindow{T}"/> do: a version sees its newest chunk up to a count, and the chunks before it up to the
/// counts they were linked at; an append writes into the free slots after its own (claimed once, so that two totals made
/// from the same version never write the same slot: the second starts a chunk of its own). A slot is never written
/// again once claimed, so every version keeps reading its own charges.
/// </summary>
internal readonly record struct DestinationLog
{
    /// <summary>How many charges wait at most; one more and they are all counted into the tree.</summary>
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

    /// <summary><paramref name="tree"/> with this log's charges counted in.</summary>
    public ImmutableSortedDictionary<string, UsageTotals> FoldInto(ImmutableSortedDictionary<string, UsageTotals> tree) => FoldInto(tree, this, []);

    /// <summary>
    /// <paramref name="tree"/> with the charges of <paramref name="log"/>, then <paramref name="more"/>, counted in: each
    /// destination's figures summed in the order the charges came, from what the tree held, and set once.
    /// </summary>
    public static ImmutableSortedDictionary<string, UsageTotals> FoldInto(
        ImmutableSortedDictionary<string, UsageTotals> tree, DestinationLog log, ReadOnlySpan<ChargeLine> more)
    {
        var sums = Sums.ForThisThread(tree);
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

        return sums.IntoTree();
    }

    /// <summary>What a charge adds to its destination.</summary>
    private readonly record struct Pending(string Destination, int Calls, long BilledSeconds, decimal Amount);

    private sealed class Chunk(int size, Chunk? previous, int previousCount)
    {
        public readonly Pending[] Slots = new Pending[size];

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
                Slots[slot++] = new Pending(charge.Destination, charge.Calls, charge.BilledSeconds, charge.Amount);
            }

            return true;
        }
    }

    /// <summary>A fold's working sums by destination, kept per thread (a fold never yields) and left empty.</summary>
    private sealed class Sums
    {
        [ThreadStatic]
        private static Sums? _current;

        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly List<Pending> _sums = [];
        private ImmutableSortedDictionary<string, UsageTotals> _tree = ImmutableSortedDictionary<string, UsageTotals>.Empty;

        public List<(Chunk Chunk, int Used)> Segments { get; } = [];

        public static Sums ForThisThread(ImmutableSortedDictionary<string, UsageTotals> tree)
        {
            var sums = _current ??= new Sums();
            sums.Clear();
            sums._tree = tree;
            return sums;
        }

        private void Clear()
        {
            _tree = ImmutableSortedDictionary<string, UsageTotals>.Empty;
            _index.Clear();
            _sums.Clear();
            Segments.Clear();
        }

        /// <summary>Adds a charge's figures to its destination's sum, which starts from the tree's (or zero's) as <see cref="UsageTotals.Add"/> would.</summary>
        public void Add(string destination, int calls, long billedSeconds, decimal amount)
        {
            if (!_index.TryGetValue(destination, out var at))
            {
                var from = _tree.GetValueOrDefault(destination, UsageTotals.Zero);
                (at, _index[destination]) = (_sums.Count, _sums.Count);
                _sums.Add(new Pending(destination, from.Calls, from.BilledSeconds, from.Amount));
            }

            ref var sum = ref CollectionsMarshal.AsSpan(_sums)[at];
            sum = sum with { Calls = sum.Calls + calls, BilledSeconds = sum.BilledSeconds + billedSeconds, Amount = sum.Amount + amount };
        }

        /// <summary>The tree with every sum set; the sums are cleared.</summary>
        public ImmutableSortedDictionary<string, UsageTotals> IntoTree()
        {
            var builder = _tree.ToBuilder();
            foreach (var sum in _sums)
            {
                builder[sum.Destination] = new UsageTotals(sum.Calls, sum.BilledSeconds, sum.Amount);
            }

            Clear();
            return builder.ToImmutable();
        }
    }
}

/// <summary>
/// One movement of money on an account for a call: the amount (a delta, for interim commits), the billed seconds
/// it adds, whether it completes a call, the destination and the call's start (which decides the period).
/// </summary>
public readonly record struct ChargeLine(decimal Amount, long BilledSeconds, int Calls, string Destination, DateTimeOffset CallStart);
