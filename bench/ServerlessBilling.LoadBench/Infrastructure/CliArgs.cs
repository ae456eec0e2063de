using System.Globalization;

namespace ServerlessBilling.LoadBench.Infrastructure;

/// <summary>
/// <c>--name value</c>, <c>--name=value</c> and bare flags, checked against the names a scenario knows.
/// Every numeric option is bounded so that a run always stops by itself.
/// </summary>
internal sealed class CliArgs
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    private CliArgs()
    {
    }

    private bool Help { get; set; }

    private string? Error { get; set; }

    private static CliArgs Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> valueNames, IReadOnlyCollection<string> flagNames)
    {
        var parsed = new CliArgs();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "help")
            {
                parsed.Help = true;
                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                parsed.Error = $"unexpected argument '{arg}'";
                return parsed;
            }

            var name = arg[2..];
            string? value = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }

            if (flagNames.Contains(name))
            {
                parsed._values[name] = value ?? "true";
            }
            else if (valueNames.Contains(name))
            {
                if (value is null)
                {
                    if (i + 1 >= args.Count)
                    {
                        parsed.Error = $"--{name} needs a value";
                        return parsed;
                    }

                    value = args[++i];
                }

                parsed._values[name] = value;
            }
            else
            {
                parsed.Error = $"unknown option --{name}";
                return parsed;
            }
        }

        return parsed;
    }

    /// <summary>
    /// A scenario's options: null after printing <paramref name="usage"/> for --help; an <see cref="ArgumentException"/>
    /// for an unknown option or a missing value.
    /// </summary>
    public static CliArgs? ForScenario(IReadOnlyList<string> args, string usage, IReadOnlyCollection<string> valueNames, IReadOnlyCollection<string> flagNames)
    {
        var cli = Parse(args, valueNames, flagNames);
        if (cli.Help)
        {
            Console.Write(usage);
            return null;
        }

        return cli.Error is null ? cli : throw new ArgumentException(cli.Error);
    }

    public string? this[string name] => _values.GetValueOrDefault(name);

    public bool Flag(string name) => _values.GetValueOrDefault(name) is { } v && !string.Equals(v, "false", StringComparison.OrdinalIgnoreCase);

    public int Int(string name, int fallback, int min, int max)
    {
        if (this[name] is not { } text)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException($"--{name} takes a whole number from {min} to {max}, not '{text}'");
        }

        return value;
    }

    /// <summary>A comma-separated list of whole numbers, each within [min, max].</summary>
    public int[] Ints(string name, string fallback, int min, int max) =>
        (this[name] ?? fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                ? n
                : throw new ArgumentException($"--{name} takes whole numbers from {min} to {max}, comma-separated, not '{t}'"))
            .ToArray();

    public double Seconds(string name, double fallback, double min, double max)
    {
        if (this[name] is not { } text)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException($"--{name} takes seconds from {min} to {max}, not '{text}'");
        }

        return value;
    }
}
