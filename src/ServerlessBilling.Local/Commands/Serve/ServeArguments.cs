using System.Reflection;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Cosmos;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.Local.Commands.Serve;

/// <summary>
/// The options of <c>serve</c>: a few flags, and configuration keys (<c>--Section:Key=value</c> or
/// <c>--Section:Key value</c>) that must name a setting the host has, so that a typo such as
/// <c>--Local:SeeDemo=false</c> is refused instead of silently ignored. The result is handed to the host's
/// configuration as <c>--key=value</c> only, so that no flag can take the next argument as its value by accident.
/// </summary>
public sealed class ServeArguments
{
    /// <summary>Top-level keys the host reads (besides the sections below).</summary>
    private static readonly string[] TopLevelKeys = ["urls", "environment", "Store"];

    /// <summary>
    /// The settings sections and their keys; null = any key (framework sections). Options classes are read by
    /// reflection so that a new setting is accepted as soon as it exists. Auth is listed by name because its
    /// options live with the key middleware.
    /// </summary>
    private static readonly Dictionary<string, HashSet<string>?> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        [CreditControlOptions.Section] = PropertiesOf(typeof(CreditControlOptions), typeof(Core.Accounts.AccountWriteOptions)),
        [LocalOptions.Section] = PropertiesOf(typeof(LocalOptions)),
        [CosmosOptions.Section] = PropertiesOf(typeof(CosmosOptions)),
        [Sqlite.SqliteOptions.Section] = PropertiesOf(typeof(Sqlite.SqliteOptions)),
        [Api.Access.AuthOptions.Section] = PropertiesOf(typeof(Api.Access.AuthOptions)),
        [Api.Access.LimitsOptions.Section] = PropertiesOf(typeof(Api.Access.LimitsOptions)),
        [Core.Invoicing.InvoiceRunOptions.Section] = PropertiesOf(typeof(Core.Invoicing.InvoiceRunOptions)),
        [Core.Storage.InMemory.MemoryStoreOptions.Section] = PropertiesOf(typeof(Core.Storage.InMemory.MemoryStoreOptions)),
        [Hosting.AlertWebhookOptions.Section] = PropertiesOf(typeof(Hosting.AlertWebhookOptions)),
        ["Logging"] = null,
        ["Kestrel"] = null,
        [MetricsOptions.Section] = PropertiesOf(typeof(MetricsOptions)),
    };

    private ServeArguments(IReadOnlyList<string> configuration, bool help, string? error)
    {
        Configuration = configuration;
        Help = help;
        Error = error;
    }

    /// <summary>The arguments for the host's configuration, each as <c>--key=value</c>.</summary>
    public IReadOnlyList<string> Configuration { get; }

    /// <summary>Help was asked for; it wins over any error.</summary>
    public bool Help { get; }

    /// <summary>The first problem with the arguments, or null.</summary>
    public string? Error { get; }

    public static ServeArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var configuration = new List<string>();
        var (help, error) = ArgumentScan.Run(args, (IReadOnlyList<string> a, ref int i) =>
        {
            if (a[i] == "--no-demo")
            {
                configuration.Add($"--{LocalOptions.Section}:{nameof(LocalOptions.SeedDemo)}=false");
                return null;
            }

            if (!ArgumentScan.TryOption(a[i], out var key, out var inline, out var notOption))
            {
                return notOption;
            }

            if (Unknown(key) is { } unknown)
            {
                return unknown;
            }

            var value = ArgumentScan.ValueOf(a, ref i, inline, next => next.StartsWith("--", StringComparison.Ordinal));
            if (value is null)
            {
                return $"option '--{key}' needs a value (--{key}=VALUE)";
            }

            configuration.Add($"--{key}={value}");
            return null;
        });

        return new ServeArguments(configuration, help, error);
    }

    /// <summary>Why <paramref name="key"/> is not a setting of the host, or null when it is.</summary>
    private static string? Unknown(string key)
    {
        if (TopLevelKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        var parts = key.Split(':');
        if (parts.Length < 2 || !Sections.TryGetValue(parts[0], out var keys))
        {
            return $"unknown option '--{key}'";
        }

        if (parts[1].Length == 0 || (keys is not null && !keys.Contains(parts[1])))
        {
            var known = keys is null ? "" : $" (known: {string.Join(", ", keys.Order(StringComparer.Ordinal).Select(k => $"{parts[0]}:{k}"))})";
            return $"unknown setting '--{key}'{known}";
        }

        return null;
    }

    private static HashSet<string> PropertiesOf(params Type[] options) =>
        options.SelectMany(o => o.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            .Where(p => p.CanWrite)
            .Select(p => p.Name)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
}
