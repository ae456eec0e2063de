using System.Globalization;
using ServerlessBilling.LoadBench.Infrastructure;

namespace ServerlessBilling.LoadBench.All;

/// <summary>One target of the performance issue as <c>all</c> measured it: the figure, its baseline of the same run, and the verdict.</summary>
internal sealed record Finding(string Measure, string Figure, string Baseline, string Ratio, string Target, bool? Met);

/// <summary>
/// The headline figures of one <c>all</c> run, gathered from every part (the scenarios it reuses add theirs when they
/// run under it), printed at the end as one table: measure, figure, baseline, ratio, target, met/missed.
/// </summary>
internal static class Findings
{
    private static readonly List<Finding> Rows = [];

    /// <summary>Whether an <c>all</c> run is gathering: the scenarios only add their headline when it is.</summary>
    public static bool Gathering { get; private set; }

    public static void Start()
    {
        Rows.Clear();
        Gathering = true;
    }

    public static void Add(Finding finding)
    {
        if (Gathering)
        {
            lock (Rows)
            {
                Rows.Add(finding);
            }
        }
    }

    /// <summary>A figure that must reach <paramref name="target"/> (higher is better).</summary>
    public static void AtLeast(string measure, double figure, string unit, string baseline, double baselineValue, double target) =>
        Add(new Finding(measure, Fmt.N0(figure) + unit, baseline, RatioOf(figure, baselineValue), ">= " + Fmt.N0(target) + unit, figure >= target));

    /// <summary>A figure that must stay at or under <paramref name="target"/> (lower is better).</summary>
    public static void AtMost(string measure, string figure, double value, string baseline, double baselineValue, string target, double limit) =>
        Add(new Finding(measure, figure, baseline, RatioOf(value, baselineValue), target, value <= limit));

    /// <summary>A ratio to the baseline that must stay at or under <paramref name="limit"/>.</summary>
    public static void RatioAtMost(string measure, string figure, double value, string baseline, double baselineValue, double limit) =>
        Add(new Finding(measure, figure, baseline, RatioOf(value, baselineValue), string.Create(CultureInfo.InvariantCulture, $"<= {limit:0.0#}x"),
            baselineValue > 0 && value / baselineValue <= limit));

    /// <summary>A part that did not run or failed: the row says why instead of a figure.</summary>
    public static void Failed(string measure, string why) => Add(new Finding(measure, "n/a: " + why, "", "", "", null));

    public static void Print(TextWriter output, string header)
    {
        var table = new Table("all - the targets of the performance issue, each with its baseline from this run (" + header + ")",
            "measure", "figure", "baseline", "ratio", "target", "verdict");
        foreach (var row in Rows)
        {
            table.Add(row.Measure, row.Figure, row.Baseline, row.Ratio, row.Target, row.Met switch { true => "met", false => "MISSED", null => "n/a" });
        }

        table.Note("ratio: figure / baseline, both measured in this run on the same machine (the load average above says how busy it was).");
        table.Print(output);
        Gathering = false;
    }

    private static string RatioOf(double figure, double baseline) => baseline > 0 && !double.IsNaN(figure) ? Fmt.Ratio(figure, baseline) : "";
}
