namespace ServerlessBilling.Local.Commands;

/// <summary>
/// The options of one command: <c>--name value</c> or <c>--name=value</c>, each at most once, and
/// <c>-h</c>/<c>--help</c>, and flags (<c>--name</c>, no value). There are no positional arguments, so anything
/// else is an error.
/// </summary>
public sealed class CommandArguments
{
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _flags;

    private CommandArguments(Dictionary<string, string> values, HashSet<string> flags, bool help, string? error)
    {
        _values = values;
        _flags = flags;
        Help = help;
        Error = error;
    }

    /// <summary>Help was asked for; it wins over any error, so that a user in trouble can always get it.</summary>
    public bool Help { get; }

    /// <summary>What is wrong with the arguments (the first problem), or null.</summary>
    public string? Error { get; }

    /// <summary>The value of option <paramref name="name"/> (without dashes), or null when it was not given.</summary>
    public string? this[string name] => _values.GetValueOrDefault(name);

    /// <summary>Whether flag <paramref name="name"/> (without dashes) was given.</summary>
    public bool Has(string name) => _flags.Contains(name);

    /// <param name="args">The command's arguments (after the command name).</param>
    /// <param name="options">The names of the options the command takes, without dashes.</param>
    /// <param name="flags">The names of the flags the command takes (options without a value), without dashes.</param>
    public static CommandArguments Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> options, IReadOnlyCollection<string>? flags = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(options);
        flags ??= [];
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var given = new HashSet<string>(StringComparer.Ordinal);
        var (help, error) = ArgumentScan.Run(args, (IReadOnlyList<string> a, ref int i) =>
        {
            if (!ArgumentScan.TryOption(a[i], out var name, out var inline, out var notOption))
            {
                return notOption;
            }

            if (flags.Contains(name))
            {
                return inline is not null ? $"flag '--{name}' takes no value"
                    : !given.Add(name) ? $"option '--{name}' is given more than once"
                    : null;
            }

            if (!options.Contains(name))
            {
                return $"unknown option '--{name}'";
            }

            var value = ArgumentScan.ValueOf(a, ref i, inline, IsOption);
            return string.IsNullOrEmpty(value) ? $"option '--{name}' needs a value"
                : !values.TryAdd(name, value) ? $"option '--{name}' is given more than once"
                : null;
        });

        return new CommandArguments(values, given, help, error);
    }

    // "-" alone is a value (standard input or output), not an option; so is a negative number ("--seed -1"): no
    // option's name starts with a digit or a point.
    private static bool IsOption(string arg) => arg.Length > 1 && arg[0] == '-' && !char.IsAsciiDigit(arg[1]) && arg[1] != '.';
}
