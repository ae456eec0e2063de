using System.Globalization;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Local.Commands.Simulate;

/// <summary>A live call the simulator places: when it arrives, who pays, where it goes, how long it would talk.</summary>
/// <param name="Arrival">From the start of the run.</param>
/// <param name="TalkSeconds">How long the call lasts if credit allows (answered calls), else the ring time.</param>
public sealed record PlannedCall(int Number, TimeSpan Arrival, SimulatedAccount Account, string CallingNumber, string CalledNumber, int TalkSeconds, Disposition Disposition);

/// <summary>A call made before the run, known to the platform only by its CDR.</summary>
public sealed record PastCall(string Name, SimulatedAccount Account, DateTimeOffset Start, string CalledNumber, int DurationSeconds);

/// <summary>
/// Everything the seed decides: live calls (Poisson arrivals, a destination mix, log-normal talk times with a long
/// tail, a few unanswered), the runaway account's week and the billed account's last month. The same seed gives the
/// same calls; what the platform grants them is the platform's answer.
/// </summary>
public sealed class CallPlan(int seed, double rate, TimeSpan duration, IReadOnlyList<SimulatedAccount> accounts)
{
    /// <summary>Talk times: median 90 s, a long tail, at most half an hour.</summary>
    public const double MedianTalkSeconds = 90;
    public const double TalkSigma = 1.1;
    public const int MaxTalkSeconds = 1_800;
    public const string CallingRange = "+44163296";

    /// <summary>The live calls in arrival order, made lazily so that a long load run holds none in memory.</summary>
    public IEnumerable<PlannedCall> Calls()
    {
        var random = new Random(seed);
        var callers = accounts.Where(a => a.CallWeight > 0).ToArray();
        var totalWeight = callers.Sum(a => a.CallWeight);
        var mixWeight = SimulatorDeck.Mix.Sum(m => m.Weight);
        var arrival = 0d;
        for (var number = 1; ; number++)
        {
            // Exponential gaps between arrivals make a Poisson process of the given rate.
            arrival += -Math.Log(1 - random.NextDouble()) / rate;
            if (arrival >= duration.TotalSeconds)
            {
                yield break;
            }

            var account = Pick(random, callers, totalWeight, a => a.CallWeight);
            var prefix = Pick(random, SimulatorDeck.Mix, mixWeight, m => m.Weight).Prefix;
            var roll = random.NextDouble();
            var disposition = roll < 0.85 ? Disposition.Answered : roll < 0.95 ? Disposition.NoAnswer : Disposition.Busy;
            var talk = disposition == Disposition.Answered ? LogNormalSeconds(random, MedianTalkSeconds, TalkSigma, MaxTalkSeconds) : random.Next(5, 40);
            yield return new PlannedCall(number, TimeSpan.FromSeconds(arrival), account, CallingNumber(random), Number(random, prefix), talk, disposition);
        }
    }

    /// <summary>
    /// The runaway account's week before <paramref name="now"/>: long satellite calls, spread evenly over the last
    /// seven days, until they cost at least <see cref="SimulatedAccount.RunawaySpend"/> by the simulator's rating.
    /// </summary>
    public IReadOnlyList<PastCall> RunawayWeek(DateTimeOffset now)
    {
        var account = accounts.Single(a => a.Name == SimulatedAccount.Runaway);
        var random = new Random(unchecked(seed * 31 + 7));
        var durations = new List<(string Number, int Seconds)>();
        var cost = 0m;
        while (cost < SimulatedAccount.RunawaySpend)
        {
            var called = Number(random, SimulatorDeck.RunawayPrefix);
            var seconds = LogNormalSeconds(random, 720, 0.5, 3 * 3_600);
            cost += SimulatorDeck.Deck.Rate(called, now, seconds, Disposition.Answered).Charge;
            durations.Add((called, seconds));
        }

        // From a day less than a week ago to a few minutes ago, so that every call is in the 7-day window.
        var first = now.AddDays(-6.9);
        var step = (now.AddMinutes(-5) - first) / durations.Count;
        return [.. durations.Select((d, i) => new PastCall($"w{i + 1}", account, Second(first + (step * i)), d.Number, d.Seconds))];
    }

    /// <summary>The billed account's calls in the calendar month (UTC) before <paramref name="now"/>'s.</summary>
    public IReadOnlyList<PastCall> LastMonth(DateTimeOffset now)
    {
        var account = accounts.Single(a => a.Name == SimulatedAccount.Billed);
        var random = new Random(unchecked(seed * 31 + 11));
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-1);
        var mixWeight = SimulatorDeck.Mix.Sum(m => m.Weight);
        return
        [
            .. Enumerable.Range(1, 24).Select(i => new PastCall(
                $"m{i}", account, monthStart.AddDays(i).AddHours(8 + random.Next(10)).AddMinutes(random.Next(60)),
                Number(random, Pick(random, SimulatorDeck.Mix, mixWeight, m => m.Weight).Prefix),
                LogNormalSeconds(random, MedianTalkSeconds, TalkSigma, MaxTalkSeconds))),
        ];
    }

    /// <summary>The label of the month <see cref="LastMonth"/> falls in, as the invoice run names periods.</summary>
    public static string LastMonthLabel(DateTimeOffset now) =>
        new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-1).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static T Pick<T>(Random random, IReadOnlyList<T> items, int totalWeight, Func<T, int> weight)
    {
        var ticket = random.Next(totalWeight);
        foreach (var item in items)
        {
            ticket -= weight(item);
            if (ticket < 0)
            {
                return item;
            }
        }

        return items[^1];
    }

    private static int LogNormalSeconds(Random random, double median, double sigma, int max)
    {
        // Box-Muller: a standard normal from two uniforms.
        var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return (int)Math.Clamp(Math.Ceiling(median * Math.Exp(sigma * normal)), 1, max);
    }

    /// <summary>An E.164 number under <paramref name="prefix"/>: 11 digits for North America, else 12.</summary>
    private static string Number(Random random, string prefix)
    {
        var length = prefix.StartsWith('1') ? 11 : 12;
        var digits = new char[length - prefix.Length];
        for (var i = 0; i < digits.Length; i++)
        {
            digits[i] = (char)('0' + random.Next(10));
        }

        return $"+{prefix}{new string(digits)}";
    }

    private static string CallingNumber(Random random) =>
        string.Create(CultureInfo.InvariantCulture, $"{CallingRange}{random.Next(10_000):D4}");

    private static DateTimeOffset Second(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
