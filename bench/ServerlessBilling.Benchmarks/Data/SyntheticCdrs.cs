using System.Globalization;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Benchmarks.Data;

/// <summary>How calls spread over the deck's prefixes.</summary>
public enum Traffic
{
    /// <summary>Every prefix equally likely: the worst case for the caches (a 200,000-row deck does not fit in L2).</summary>
    Uniform,

    /// <summary>Few destinations take most calls, as in real traffic: 1% of the prefixes get a third of the calls, 10% over half.</summary>
    Skewed,
}

/// <summary>One call to rate, with its called number as the switch wrote it.</summary>
public readonly record struct SyntheticCall(string CalledNumber, DateTimeOffset Start, int DurationSeconds, Disposition Disposition);

/// <summary>
/// Reproducible traffic over a <see cref="SyntheticDeck"/>: called numbers under the deck's prefixes in
/// '+', '00' and bare form (1% to no prefix at all), start times across 2026, realistic durations and
/// dispositions; CDR files carry 0.1% invalid lines.
/// </summary>
public static class SyntheticCdrs
{
    public const string Header = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id";

    private static readonly DateTimeOffset YearStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static SyntheticCall[] Calls(SyntheticDeck deck, int count, int seed = 7, Traffic traffic = Traffic.Uniform)
    {
        ArgumentNullException.ThrowIfNull(deck);
        var random = new Random(seed);
        var prefixes = deck.Prefixes.ToArray();
        random.Shuffle(prefixes); // popularity must not follow the generation order (country codes first)
        var calls = new SyntheticCall[count];
        for (var i = 0; i < calls.Length; i++)
        {
            calls[i] = NextCall(random, prefixes, traffic);
        }

        return calls;
    }

    public static void WriteCsv(TextWriter writer, SyntheticDeck deck, int lines, int seed = 7)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(deck);
        var random = new Random(seed);
        writer.Write(Header);
        writer.Write('\n');
        for (var i = 0; i < lines; i++)
        {
            var call = NextCall(random, deck.Prefixes, Traffic.Uniform);
            var calling = "+447" + SyntheticDeck.Digits(random, 9);
            var session = random.Next(2) == 0 ? string.Create(CultureInfo.InvariantCulture, $"s-{i}") : "";
            var start = random.Next(20) == 0
                ? call.Start.ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)
                : call.Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var duration = random.Next(1000) == 0 ? "n/a" : call.DurationSeconds.ToString(CultureInfo.InvariantCulture);
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"c-{i},acct-{random.Next(10_000)},{calling},{call.CalledNumber},{start},{duration},{call.Disposition.ToWire()},{session}\n"));
        }
    }

    public static string ToCsv(SyntheticDeck deck, int lines, int seed = 7)
    {
        using var writer = new StringWriter();
        WriteCsv(writer, deck, lines, seed);
        return writer.ToString();
    }

    private static SyntheticCall NextCall(Random random, IReadOnlyList<string> prefixes, Traffic traffic)
    {
        // Skewed: the rank is u⁴ of the list, so P(rank < 1%) = 0.01^¼ ≈ 32% and P(rank < 10%) ≈ 56%.
        var rank = traffic == Traffic.Skewed
            ? (int)(Math.Pow(random.NextDouble(), 4) * prefixes.Count)
            : random.Next(prefixes.Count);
        var prefix = random.Next(100) == 0 ? Countries.Unassigned : prefixes[rank];
        var length = Math.Max(random.Next(10, 14), prefix.Length + 2);
        var digits = prefix + SyntheticDeck.Digits(random, length - prefix.Length);
        var number = random.Next(10) switch
        {
            < 7 => "+" + digits,
            < 9 => "00" + digits,
            _ => digits,
        };
        var start = YearStart.AddSeconds(random.Next(365 * 24 * 3600));
        var (disposition, duration) = random.Next(100) switch
        {
            < 85 => (Disposition.Answered, random.Next(100) switch
            {
                < 3 => 0,
                < 50 => random.Next(1, 120),
                < 90 => random.Next(120, 900),
                _ => random.Next(900, 7200),
            }),
            < 93 => (Disposition.NoAnswer, 0),
            < 98 => (Disposition.Busy, 0),
            _ => (Disposition.Failed, 0),
        };
        return new SyntheticCall(number, start, duration, disposition);
    }
}
