namespace ServerlessBilling.Local.Commands.Rate;

/// <summary>The options of the <c>rate</c> command.</summary>
/// <param name="DeckPath">The rate-deck CSV; its file name without extension is the deck id.</param>
/// <param name="CdrsPath">The CDR CSV, or <see cref="StandardStream"/> for standard input.</param>
/// <param name="OutPath">The result CSV, or <see cref="StandardStream"/> for standard output.</param>
public sealed record RateOptions(string DeckPath, string CdrsPath, string OutPath)
{
    public const string StandardStream = "-";

    public const string Usage = """
        Usage: ServerlessBilling.Local rate --deck DECK.csv --cdrs CDRS.csv --out RATED.csv

        Rates every CDR of a CDR file against a rate deck and writes one result line per CDR line, in
        input order. File formats: docs/formats.md; rating rules: docs/rating.md.

        Options:
          --deck PATH   the rate-deck CSV (required); the file name without extension is the deck id
          --cdrs PATH   the CDR CSV, or - for standard input (required)
          --out PATH    the result CSV, or - for standard output (required); a file is written as
                        PATH.partial and renamed to PATH when the run completes
          -h, --help    show this help

        Result CSV (UTF-8, LF line ends; fields with a comma, quote or line break are quoted):
          cdr_id,prefix,destination,billed_seconds,charge,status,reason
          status           rated, or rejected: the line is not a valid CDR, or no deck prefix matches
                           the called number at its start time; reason says which
          prefix, destination, billed_seconds, charge
                           the matched deck row and the rating; empty when rejected
          charge           invariant culture, at most 4 decimals, no trailing zeros, "0" for zero
                           (format "0.####": 1.392, 0.01, 0)
          cdr_id           empty when a rejected line has no readable id

        Progress (every second) and a summary (lines, rated, rejected, total charge, CDRs/s) go to
        standard error.

        Exit codes:
          0    the run completed, rejected CDRs included
          1    the deck has errors (each 'line N: reason' is listed), the CDR header is invalid,
               or reading or writing failed
          2    bad arguments or a missing file
          130  stopped by Ctrl+C or SIGTERM (no output file is left)

        """;

    private static readonly string[] Names = ["deck", "cdrs", "out"];

    /// <summary>The options, or null with <paramref name="help"/> set or an <paramref name="error"/>.</summary>
    public static RateOptions? Parse(IReadOnlyList<string> args, out bool help, out string? error)
    {
        var parsed = CommandArguments.Parse(args, Names);
        help = parsed.Help;
        error = parsed.Error
            ?? Names.Where(name => parsed[name] is null).Select(name => $"option '--{name}' is required").FirstOrDefault();
        if (help || error is not null)
        {
            return null;
        }

        if (parsed["deck"] == StandardStream)
        {
            error = "the deck must be a file ('--deck -' is not supported)";
            return null;
        }

        return new RateOptions(parsed["deck"]!, parsed["cdrs"]!, parsed["out"]!);
    }
}
