using System.Globalization;

namespace ServerlessBilling.Local.Commands.Simulate;

/// <summary>The options of the <c>simulate</c> command.</summary>
/// <param name="Url">The platform's base URL (the API is under <c>/api</c>).</param>
/// <param name="Key">The admin key, sent as <c>x-functions-key</c>; null for a keyless loopback host.</param>
/// <param name="Seed">Chooses the calls: the same seed makes the same calls (arrivals, accounts, numbers, durations).</param>
/// <param name="Rate">Mean call arrivals per second (Poisson).</param>
/// <param name="Duration">How long calls keep arriving (calls then run to their end).</param>
/// <param name="Speed">Simulated call seconds per real second: 60 plays a 5-minute call in 5 seconds.</param>
/// <param name="IdPrefix">The start of every id the run makes (accounts, sessions, CDRs, top-ups).</param>
/// <param name="Invoice">Issue an invoice at the end (see <see cref="Usage"/>).</param>
public sealed record SimulateOptions(Uri Url, string? Key, int Seed, double Rate, TimeSpan Duration, int Speed, string IdPrefix, bool Invoice)
{
    public const string DefaultUrl = "http://127.0.0.1:7071";
    public const double MaxRate = 5_000;
    public const int MaxSpeed = 3_600;
    public const int MaxIdPrefixLength = 64;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(24);

    public const string Usage = """
        Usage: ServerlessBilling.Local simulate [--url URL] [--key KEY] [--seed N] [--rate CALLS_PER_S]
                                                [--duration TIME] [--speed N] [--id-prefix NAME] [--invoice]

        Drives a running platform the way a switch does: creates its own accounts and rate deck, places calls
        (authorize, interim when a grant is used up, terminate; a call ends when finalUnit says so), posts a CDR
        for every call in batches, plays a runaway post-paid account (12,000 spent in a week against a 5,000
        limit, suspended by monitoring at 120%), then checks the platform's books against its own rating.

        Options:
          --url URL          the platform's base URL (default http://127.0.0.1:7071)
          --key KEY          an admin key (sent as x-functions-key); leave out for a local host without keys
          --seed N           the same seed places the same calls (default 1)
          --rate R           mean call arrivals per second, Poisson (default 20; at most 5000)
          --duration TIME    how long calls keep arriving: 90, 90s, 5m or 1h (default 60s; at most 24h);
                             calls in progress then run to their end
          --speed N          simulated call seconds per real second (default 60: a 5-minute call takes 5 s)
          --id-prefix NAME   the start of every id the run makes (default sim<seed>-<run time>, so that
                             runs against the same platform never collide)
          --invoice          also issue an invoice: an account with calls last month, then the invoice run
                             for last month (POST /api/invoices/run), checked against the simulator's rating
          -h, --help         show this help

        Accounts (ids <prefix>-<name>): pre-1 .. pre-4 pre-paid with small balances (calls cut by finalUnit,
        denials, then a top-up), post-1 and post-3 post-paid, post-2 post-paid with a hard limit of 3,
        runaway (post-paid, limit 5,000, monitoring thresholds 0.5, 0.8, 1.0 and suspendAt 1.2), and with
        --invoice billed (post-paid, last month's calls). Rate deck: 'simulator'.

        The view is live on a terminal (calls/s, grants and denials, authorize p50/p99, alerts); otherwise a
        progress line every 5 seconds. The final report lists every account: the platform's money (balance;
        post-paid also periodSpend), reserved and active sessions against the simulator's own rating.

        Exit codes:
          0    the platform's books agree with the simulator's rating
          1    they do not (each mismatch is listed), or the platform answered a request with an error
          2    bad arguments, or the platform refused the key (401/403)
          6    the platform could not be reached (no connection, or no answer after retries)
          130  stopped by Ctrl+C or SIGTERM (calls in progress are not ended: their reservations lapse)

        """;

    private static readonly string[] Names = ["url", "key", "seed", "rate", "duration", "speed", "id-prefix"];
    private static readonly string[] Flags = ["invoice"];

    /// <summary>The options, or null with <paramref name="help"/> set or an <paramref name="error"/>.</summary>
    /// <param name="now">The run's start: the default id prefix is made from it.</param>
    public static SimulateOptions? Parse(IReadOnlyList<string> args, DateTimeOffset now, out bool help, out string? error)
    {
        var parsed = CommandArguments.Parse(args, Names, Flags);
        help = parsed.Help;
        error = parsed.Error;
        if (help || error is not null)
        {
            return null;
        }

        var url = parsed["url"] ?? DefaultUrl;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            error = $"--url '{url}' is not an absolute http(s) URL";
            return null;
        }

        var seed = 1;
        if (parsed["seed"] is { } seedText && !int.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
        {
            error = $"--seed '{seedText}' is not a whole number";
            return null;
        }

        var rate = 20d;
        if (parsed["rate"] is { } rateText
            && (!double.TryParse(rateText, NumberStyles.Float, CultureInfo.InvariantCulture, out rate) || !(rate > 0 && rate <= MaxRate)))
        {
            error = $"--rate '{rateText}' must be a number of calls per second above 0 and at most {MaxRate}";
            return null;
        }

        var duration = TimeSpan.FromSeconds(60);
        if (parsed["duration"] is { } durationText && !TryParseDuration(durationText, out duration))
        {
            error = $"--duration '{durationText}' must be a time above 0 and at most 24h: seconds (90 or 90s), minutes (5m) or hours (1h)";
            return null;
        }

        var speed = 60;
        if (parsed["speed"] is { } speedText
            && (!int.TryParse(speedText, NumberStyles.None, CultureInfo.InvariantCulture, out speed) || speed < 1 || speed > MaxSpeed))
        {
            error = $"--speed '{speedText}' must be a whole number from 1 to {MaxSpeed}";
            return null;
        }

        var prefix = parsed["id-prefix"] ?? DefaultIdPrefix(seed, now);
        if (prefix.Length > MaxIdPrefixLength || !prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            error = $"--id-prefix '{prefix}' must be at most {MaxIdPrefixLength} letters, digits, '-', '_' or '.'";
            return null;
        }

        return new SimulateOptions(uri, parsed["key"], seed, rate, duration, speed, prefix, parsed.Has("invoice"));
    }

    /// <summary>Seconds (<c>90</c>, <c>90s</c>), minutes (<c>5m</c>) or hours (<c>1h</c>), above 0 and at most 24 hours.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(text);
        duration = default;
        var (number, unit) = text.Length > 0 && char.IsAsciiLetter(text[^1]) ? (text[..^1], text[^1]) : (text, 's');
        if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        decimal? seconds = unit switch
        {
            's' => amount,
            'm' => amount * 60,
            'h' => amount * 3600,
            _ => null,
        };
        if (seconds is not { } s || s <= 0 || s > (decimal)MaxDuration.TotalSeconds)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds((double)s);
        return true;
    }

    // The run time in base 36 keeps the ids short and makes each run's ids new.
    private static string DefaultIdPrefix(int seed, DateTimeOffset now)
    {
        const string digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        var value = now.ToUnixTimeMilliseconds();
        var tag = new System.Text.StringBuilder();
        do
        {
            tag.Insert(0, digits[(int)(value % 36)]);
            value /= 36;
        }
        while (value > 0);
        return string.Create(CultureInfo.InvariantCulture, $"sim{seed}-{tag}");
    }
}
