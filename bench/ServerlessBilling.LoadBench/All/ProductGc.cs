using System.Globalization;
using System.Text.Json;

namespace ServerlessBilling.LoadBench.All;

/// <summary>
/// The local host's garbage collector settings (and its thread pool's spinning), read from its runtimeconfig.json (copied beside this bench), as the
/// environment variables that give the child host (a process of this bench's executable) the same settings. A
/// DOTNET_ variable already set in this process wins, so that other settings can be tried without a rebuild.
/// </summary>
internal static class ProductGc
{
    private static readonly (string Property, string Variable)[] Known =
    [
        ("System.GC.Server", "DOTNET_gcServer"),
        ("System.GC.Concurrent", "DOTNET_gcConcurrent"),
        ("System.GC.ConserveMemory", "DOTNET_GCConserveMemory"),
        ("System.GC.RetainVM", "DOTNET_GCRetainVM"),
        ("System.GC.DynamicAdaptationMode", "DOTNET_GCDynamicAdaptationMode"),
        ("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"),
    ];

    private static readonly Lazy<IReadOnlyList<(string Variable, string Value, bool Overridden)>> Settings = new(Read);

    /// <summary>Sets the product's settings on a child's start info (the ones not overridden by this process's environment).</summary>
    public static void Apply(System.Diagnostics.ProcessStartInfo start)
    {
        foreach (var (variable, value, overridden) in Settings.Value)
        {
            if (!overridden)
            {
                start.Environment[variable] = value;
            }
        }
    }

    /// <summary>One line for a table title: what the child runs with.</summary>
    public static string Describe() => Settings.Value.Count == 0
        ? "runtime defaults"
        : string.Join(", ", Settings.Value.Select(s => $"{s.Variable}={s.Value}{(s.Overridden ? " (from the environment)" : "")}"));

    private static List<(string, string, bool)> Read()
    {
        var settings = new List<(string, string, bool)>();
        var file = Path.Combine(AppContext.BaseDirectory, "ServerlessBilling.Local.runtimeconfig.json");
        using var json = File.Exists(file) ? JsonDocument.Parse(File.ReadAllText(file)) : null;
        var properties = json?.RootElement.GetProperty("runtimeOptions").TryGetProperty("configProperties", out var found) == true ? found : default;
        foreach (var (property, variable) in Known)
        {
            if (Environment.GetEnvironmentVariable(variable) is { } set)
            {
                settings.Add((variable, set, true));
            }
            else if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property, out var value))
            {
                // DOTNET_ numbers are read as hexadecimal.
                settings.Add((variable, value.ValueKind switch
                {
                    JsonValueKind.True => "1",
                    JsonValueKind.False => "0",
                    JsonValueKind.Number => value.GetInt64().ToString("X", CultureInfo.InvariantCulture),
                    _ => value.ToString(),
                }, false));
            }
        }

        return settings;
    }
}
