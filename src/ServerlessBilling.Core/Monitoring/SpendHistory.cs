using System.Collections.Immutable;

namespace ServerlessBilling.Core.Monitoring;

/// <summary>
/// Recent spend by call start, kept in the account document so that monitoring reads it with the balance: hourly
/// buckets for the last <see cref="HoursKept"/> hours and daily buckets for the last <see cref="DaysKept"/> days (UTC).
/// Bounded (at most 48 + 36 entries), so every commit stays cheap and the document small. A window sums every bucket
/// that overlaps it, so a figure may include up to one bucket more than the window: monitoring errs towards seeing
/// spend, never towards missing it.
/// </summary>
public sealed record SpendHistory
{
    public const int HoursKept = 48;
    public const int DaysKept = 36;

    public static readonly SpendHistory Empty = new();

    // The newest bucket of each list lies beside the dictionary of the others (the head), so that the charges of the
    // current hour and day (nearly all of them) change two fields and no tree: the dictionary of the stored JSON is made
    // when read, and kept. A history read from JSON has no head; its first charge takes the newest bucket out as the head.
    private readonly ImmutableSortedDictionary<long, decimal> _hours = ImmutableSortedDictionary<long, decimal>.Empty;
    private readonly ImmutableSortedDictionary<long, decimal> _days = ImmutableSortedDictionary<long, decimal>.Empty;
    private readonly Bucket _hourHead = Bucket.None;
    private readonly Bucket _dayHead = Bucket.None;
    private Made _made;

    /// <summary>Spend by hour, keyed by whole hours since the Unix epoch.</summary>
    public ImmutableSortedDictionary<long, decimal> Hours
    {
        get => _hourHead.IsNone ? _hours : _made.Hours ??= _hours.SetItem(_hourHead.Key, _hourHead.Sum);
        init => (_hours, _hourHead, _made.Hours) = (value ?? ImmutableSortedDictionary<long, decimal>.Empty, Bucket.None, null);
    }

    /// <summary>Spend by day, keyed by whole days since the Unix epoch.</summary>
    public ImmutableSortedDictionary<long, decimal> Days
    {
        get => _dayHead.IsNone ? _days : _made.Days ??= _days.SetItem(_dayHead.Key, _dayHead.Sum);
        init => (_days, _dayHead, _made.Days) = (value ?? ImmutableSortedDictionary<long, decimal>.Empty, Bucket.None, null);
    }

    /// <summary>Adds a charge for a call that started at <paramref name="callStart"/>; buckets older than kept are dropped.</summary>
    public SpendHistory Add(DateTimeOffset callStart, decimal amount, DateTimeOffset now)
    {
        if (amount == 0m)
        {
            return this;
        }

        var hour = HourOf(callStart);
        var day = DayOf(callStart);
        var (hours, hourHead) = hour > HourOf(now) - HoursKept ? AddTo(_hours, _hourHead, hour, amount, HourOf(now) - HoursKept) : (_hours, _hourHead);
        var (days, dayHead) = day > DayOf(now) - DaysKept ? AddTo(_days, _dayHead, day, amount, DayOf(now) - DaysKept) : (_days, _dayHead);
        return ReferenceEquals(hours, _hours) && ReferenceEquals(days, _days) && hourHead == _hourHead && dayHead == _dayHead
            ? this
            : new SpendHistory(hours, hourHead, days, dayHead);
    }

    private SpendHistory(ImmutableSortedDictionary<long, decimal> hours, Bucket hourHead, ImmutableSortedDictionary<long, decimal> days, Bucket dayHead) =>
        (_hours, _hourHead, _days, _dayHead) = (hours, hourHead, days, dayHead);

    public SpendHistory()
    {
    }

    /// <summary>
    /// The buckets (the others and the head) with <paramref name="amount"/> added to <paramref name="key"/>'s, as setting
    /// it in the one dictionary would, and those at or before <paramref name="keepAfter"/> dropped (never the head: it is
    /// at or after <paramref name="key"/>, which is kept).
    /// </summary>
    private static (ImmutableSortedDictionary<long, decimal> Others, Bucket Head) AddTo(
        ImmutableSortedDictionary<long, decimal> others, Bucket head, long key, decimal amount, long keepAfter)
    {
        if (!head.IsNone && key == head.Key)
        {
            return (Trim(others, keepAfter), new Bucket(key, head.Sum + amount));
        }

        if (head.IsNone ? NewestKey(others) is not { } newest || key >= newest : key > head.Key)
        {
            // The newest bucket: the head, the one before it joins the others (or, read from JSON, leaves them).
            var rest = head.IsNone ? others.Remove(key) : others.SetItem(head.Key, head.Sum);
            return (Trim(rest, keepAfter), new Bucket(key, others.GetValueOrDefault(key) + amount));
        }

        return (Trim(others.SetItem(key, others.GetValueOrDefault(key) + amount), keepAfter), head);
    }

    /// <summary>
    /// Adds <paramref name="charges"/> as <see cref="Add"/> one by one would: each bucket's sum is made in the order the
    /// charges came, from what the bucket held, and set once; the buckets older than kept are dropped once.
    /// </summary>
    internal SpendHistory AddAll(IReadOnlyList<Accounts.ChargeLine> charges, DateTimeOffset now)
    {
        var (keepHoursAfter, keepDaysAfter) = (HourOf(now) - HoursKept, DayOf(now) - DaysKept);
        var sums = Sums.ForThisThread();
        for (var i = 0; i < charges.Count; i++)
        {
            var charge = charges[i];
            if (charge.Amount == 0m)
            {
                continue;
            }

            var (hour, day) = (HourOf(charge.CallStart), DayOf(charge.CallStart));
            if (hour > keepHoursAfter)
            {
                Sums.Add(sums.Hours, Hours, hour, charge.Amount);
            }

            if (day > keepDaysAfter)
            {
                Sums.Add(sums.Days, Days, day, charge.Amount);
            }
        }

        if (sums.Hours.Count == 0 && sums.Days.Count == 0)
        {
            return this;
        }

        var next = this with
        {
            Hours = sums.Hours.Count == 0 ? Hours : Trim(Sums.Into(Hours, sums.Hours), keepHoursAfter),
            Days = sums.Days.Count == 0 ? Days : Trim(Sums.Into(Days, sums.Days), keepDaysAfter),
        };
        sums.Hours.Clear();
        sums.Days.Clear();
        return next;
    }

    /// <summary>Spend of calls started in the <paramref name="window"/> that ends at <paramref name="now"/> (bucket-aligned, see above).</summary>
    public decimal Within(TimeSpan window, DateTimeOffset now)
    {
        if (window <= TimeSpan.FromHours(HoursKept - 1))
        {
            var from = HourOf(now - window);
            return Hours.Where(h => h.Key >= from && h.Key <= HourOf(now)).Sum(h => h.Value);
        }

        var fromDay = DayOf(now - window);
        return Days.Where(d => d.Key >= fromDay && d.Key <= DayOf(now)).Sum(d => d.Value);
    }

    /// <summary>Average spend per day over the <paramref name="days"/> days before the last <paramref name="skipDays"/>; null without that history.</summary>
    public decimal? DailyBaseline(DateTimeOffset now, int skipDays, int days)
    {
        var last = DayOf(now) - skipDays;
        var first = last - days + 1;
        if (Days.Count == 0 || Days.Keys.First() > first)
        {
            return null;
        }

        return Days.Where(d => d.Key >= first && d.Key <= last).Sum(d => d.Value) / days;
    }

    private static ImmutableSortedDictionary<long, decimal> Trim(ImmutableSortedDictionary<long, decimal> buckets, long keepAfter)
    {
        while (OldestKey(buckets) is { } oldest && oldest <= keepAfter)
        {
            buckets = buckets.Remove(oldest);
        }

        return buckets;
    }

    // The dictionary's own enumerator is a struct: no iterator is allocated on a commit's path, as Keys.First() would.
    private static long? OldestKey(ImmutableSortedDictionary<long, decimal> buckets)
    {
        foreach (var bucket in buckets)
        {
            return bucket.Key;
        }

        return null;
    }

    private static long? NewestKey(ImmutableSortedDictionary<long, decimal> buckets)
    {
        long? newest = null;
        foreach (var bucket in buckets)
        {
            newest = bucket.Key;
        }

        return newest;
    }

    /// <summary>One bucket outside its dictionary: its key and sum (<see cref="None"/>: no such bucket).</summary>
    private readonly record struct Bucket(long Key, decimal Sum)
    {
        public static readonly Bucket None = new(long.MinValue, 0m);

        public bool IsNone => Key == long.MinValue;
    }

    /// <summary>The dictionaries made for readers, head included: a cache, equal whatever it holds.</summary>
    private struct Made : IEquatable<Made>
    {
        public ImmutableSortedDictionary<long, decimal>? Hours;
        public ImmutableSortedDictionary<long, decimal>? Days;

        public readonly bool Equals(Made other) => true;

        public override readonly bool Equals(object? obj) => obj is Made;

        public override readonly int GetHashCode() => 0;
    }

    /// <summary>A group's working sums by bucket, in the order first charged, kept per thread (the sums never yield).</summary>
    private sealed class Sums
    {
        /// <summary>Up to this many buckets are set one at a time; more go through a builder.</summary>
        private const int SetOneByOne = 4;

        [ThreadStatic]
        private static Sums? _current;

        public List<(long Key, decimal Sum)> Hours { get; } = [];

        public List<(long Key, decimal Sum)> Days { get; } = [];

        public static Sums ForThisThread()
        {
            var sums = _current ??= new Sums();
            sums.Hours.Clear();
            sums.Days.Clear();
            return sums;
        }

        /// <summary>Adds <paramref name="amount"/> to the sum of <paramref name="key"/>, which starts from what <paramref name="buckets"/> held.</summary>
        public static void Add(List<(long Key, decimal Sum)> sums, ImmutableSortedDictionary<long, decimal> buckets, long key, decimal amount)
        {
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(sums);
            for (var i = span.Length - 1; i >= 0; i--)
            {
                if (span[i].Key == key)
                {
                    span[i].Sum += amount;
                    return;
                }
            }

            sums.Add((key, buckets.GetValueOrDefault(key) + amount));
        }

        /// <summary><paramref name="buckets"/> with every sum set.</summary>
        public static ImmutableSortedDictionary<long, decimal> Into(ImmutableSortedDictionary<long, decimal> buckets, List<(long Key, decimal Sum)> sums)
        {
            if (sums.Count <= SetOneByOne)
            {
                foreach (var (key, sum) in sums)
                {
                    buckets = buckets.SetItem(key, sum);
                }

                return buckets;
            }

            var builder = buckets.ToBuilder();
            foreach (var (key, sum) in sums)
            {
                builder[key] = sum;
            }

            return builder.ToImmutable();
        }
    }

    private static long HourOf(DateTimeOffset instant) => instant.ToUnixTimeSeconds() / 3600;

    private static long DayOf(DateTimeOffset instant) => instant.ToUnixTimeSeconds() / 86400;
}
