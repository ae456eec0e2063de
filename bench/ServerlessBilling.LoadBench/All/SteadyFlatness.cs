using System.Globalization;

namespace ServerlessBilling.LoadBench.All;

/// <summary>One sample of the steady run: the child's RSS, heap and store.</summary>
internal readonly record struct SteadySample(double Seconds, double RssMb, HeapFigures Heap, StoreFigures Store);

/// <summary>
/// How flat the RSS of a steady run was: over the whole run, and over the window from the first sample at which the
/// store held both its bounds (usage records and closed sessions) to the end; when the run never reached them, the
/// window is its last two thirds and says so.
/// </summary>
internal sealed record SteadyFlatness(IReadOnlyList<SteadySample> Samples, double? FilledAt, string WindowName, int WindowFrom)
{
    public static SteadyFlatness Of(IReadOnlyList<SteadySample> samples, long maxUsage, long maxClosed, TimeSpan duration)
    {
        var filled = samples.ToList().FindIndex(s => s.Store.UsageRecords >= maxUsage && s.Store.SessionIds >= maxClosed);
        if (filled >= 0)
        {
            return new(samples, samples[filled].Seconds, string.Create(CultureInfo.InvariantCulture, $"from {samples[filled].Seconds:N0} s"), filled);
        }

        var third = Math.Max(0, samples.ToList().FindIndex(s => s.Seconds >= duration.TotalSeconds / 3));
        return new(samples, null, string.Create(CultureInfo.InvariantCulture, $"bounds NOT reached; from a third in, {samples[third].Seconds:N0} s"), third);
    }

    public (double Min, double Max) Whole => (Samples.Min(s => s.RssMb), Samples.Max(s => s.RssMb));

    public (double Min, double Max) Window => (Samples.Skip(WindowFrom).Min(s => s.RssMb), Samples.Skip(WindowFrom).Max(s => s.RssMb));

    public SteadySample WindowStart => Samples[WindowFrom];

    public SteadySample End => Samples[^1];

    /// <summary>
    /// The first sample, with both bounds held, from which the counts that still fill once they are (destination totals,
    /// quarantined CDRs) stay within <see cref="SettledSlack"/> of their value there to the end: from there on the store
    /// holds what it will hold. Null when they are still growing in the last third of the run (a window shorter than
    /// that says nothing of flatness).
    /// </summary>
    public int? SettledFrom
    {
        get
        {
            if (FilledAt is null)
            {
                return null;
            }

            var latest = Samples[^1].Seconds * 2 / 3;
            for (var i = WindowFrom; i < Samples.Count - 1 && Samples[i].Seconds <= latest; i++)
            {
                var (totals, quarantined) = (Samples[i].Store.DestinationTotals, Samples[i].Store.Quarantined);
                if (Samples.Skip(i).All(s => s.Store.DestinationTotals <= totals * (1 + SettledSlack) && s.Store.Quarantined <= quarantined * (1 + SettledSlack)))
                {
                    return i;
                }
            }

            return null;
        }
    }

    /// <summary>How much the counts may still grow after the sample called settled: 1%.</summary>
    public const double SettledSlack = 0.01;

    public (double Min, double Max) RssFrom(int from) => (Samples.Skip(from).Min(s => s.RssMb), Samples.Skip(from).Max(s => s.RssMb));

    /// <summary>
    /// Growth per minute over the window (least squares over its samples): RSS and managed heap (MB), destination totals
    /// and quarantined CDRs: what still grows after the bounds are held.
    /// </summary>
    public (double RssMb, double HeapMb, double Totals, double Quarantined) PerMinute()
    {
        var window = Samples.Skip(WindowFrom).ToArray();
        return (Slope(window, s => s.RssMb), Slope(window, s => s.Heap.HeapMb), Slope(window, s => s.Store.DestinationTotals), Slope(window, s => s.Store.Quarantined));
    }

    private static double Slope(SteadySample[] window, Func<SteadySample, double> value)
    {
        if (window.Length < 2)
        {
            return double.NaN;
        }

        var (meanT, meanV) = (window.Average(s => s.Seconds), window.Average(value));
        var covariance = window.Sum(s => (s.Seconds - meanT) * (value(s) - meanV));
        var variance = window.Sum(s => (s.Seconds - meanT) * (s.Seconds - meanT));
        return variance == 0 ? double.NaN : 60 * covariance / variance;
    }

    /// <summary>The first sample at or after each multiple of <paramref name="seconds"/>, and the last.</summary>
    public IEnumerable<SteadySample> Rows(double seconds)
    {
        var next = 0.0;
        for (var i = 0; i < Samples.Count; i++)
        {
            if (Samples[i].Seconds >= next || i == Samples.Count - 1)
            {
                yield return Samples[i];
                next = (Math.Floor(Samples[i].Seconds / seconds) + 1) * seconds;
            }
        }
    }
}

