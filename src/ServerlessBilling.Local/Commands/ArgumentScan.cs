namespace ServerlessBilling.Local.Commands;

/// <summary>
/// The walk over a command line that every parser here shares: <c>-h</c>/<c>--help</c> anywhere wins over any
/// error, the first error is kept (later arguments are only searched for help), and an option's value comes after
/// <c>=</c> or as the next argument.
/// </summary>
internal static class ArgumentScan
{
    /// <summary>Looks at <c>args[index]</c> (and may consume more by advancing it); returns an error or null.</summary>
    public delegate string? Visitor(IReadOnlyList<string> args, ref int index);

    public static (bool Help, string? Error) Run(IReadOnlyList<string> args, Visitor visit)
    {
        var help = false;
        string? error = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] is "-h" or "--help")
            {
                help = true;
            }
            else if (error is null)
            {
                error = visit(args, ref i);
            }
        }

        return (help, error);
    }

    /// <summary>
    /// Splits <c>--name</c> or <c>--name=value</c>; false when <paramref name="arg"/> is not an option, in which case
    /// <paramref name="error"/> says so.
    /// </summary>
    public static bool TryOption(string arg, out string name, out string? inlineValue, out string? error)
    {
        if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
        {
            (name, inlineValue, error) = ("", null, $"unexpected argument '{arg}'");
            return false;
        }

        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        name = equals < 0 ? arg[2..] : arg[2..equals];
        inlineValue = equals < 0 ? null : arg[(equals + 1)..];
        error = null;
        return true;
    }

    /// <summary>
    /// The option's value: <paramref name="inlineValue"/> when given, else the next argument when
    /// <paramref name="isOption"/> says it is not an option (consuming it), else null.
    /// </summary>
    public static string? ValueOf(IReadOnlyList<string> args, ref int index, string? inlineValue, Func<string, bool> isOption)
    {
        if (inlineValue is not null)
        {
            return inlineValue;
        }

        return index + 1 < args.Count && !isOption(args[index + 1]) ? args[++index] : null;
    }
}
