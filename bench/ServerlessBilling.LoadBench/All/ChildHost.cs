using System.Diagnostics;
using System.Globalization;

namespace ServerlessBilling.LoadBench.All;

/// <summary>
/// The local host in a child process (<see cref="ServeChild"/>): its address, and its own CPU time and RSS, apart
/// from the load generator in this process. Disposing closes its standard input and waits for it to stop.
/// </summary>
internal sealed class ChildHost : IAsyncDisposable
{
    private const int MaxLinesShown = 10;

    private readonly Process _process;
    private readonly Thread _reader;

    private ChildHost(Process process, Uri address, Thread reader)
    {
        _process = process;
        Address = address;
        _reader = reader;
    }

    public Uri Address { get; }

    public int Id => _process.Id;

    /// <summary>
    /// Starts this bench's own executable as <c>serve-child</c> with <paramref name="hostArgs"/> and the local host's GC
    /// settings (<see cref="ProductGc"/>); the host's own lines are echoed with a prefix.
    /// </summary>
    public static async Task<ChildHost> StartAsync(string name, IReadOnlyList<string> hostArgs, CancellationToken cancellationToken)
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("no process path to start the child host with");
        var start = new ProcessStartInfo(path) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true };
        ProductGc.Apply(start);
        // LOADBENCH_CHILD: another build's LoadBench.dll serves instead (an A/B of the host under this run's load and sampling).
        var bench = Environment.GetEnvironmentVariable(OtherChildVariable) is { Length: > 0 } other ? Path.GetFullPath(other) : typeof(ChildHost).Assembly.Location;
        var product = Path.Combine(Path.GetDirectoryName(bench)!, ProductRuntimeConfig);
        if (File.Exists(product))
        {
            // The host runs with the product's runtime settings (its runtimeconfig: GC, tiering), not this bench's.
            start.FileName = Muxer(path);
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add("--runtimeconfig");
            start.ArgumentList.Add(product);
            start.ArgumentList.Add(bench);
        }
        else if (Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            start.ArgumentList.Add(bench);
        }

        start.ArgumentList.Add(ServeChild.Scenario);
        foreach (var arg in hostArgs)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("the child host did not start");
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = new Thread(() =>
        {
            // The host's own log lines: the first few shown, the rest counted (a host that logs per CDR says so once).
            var shown = 0;
            long more = 0;
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (line.StartsWith(ServeChild.ListeningPrefix, StringComparison.Ordinal))
                {
                    listening.TrySetResult(new Uri(line[ServeChild.ListeningPrefix.Length..]));
                }
                else if (shown++ < MaxLinesShown)
                {
                    Console.WriteLine($"  [{name} host] {line}");
                }
                else
                {
                    more++;
                }
            }

            if (more > 0)
            {
                Console.WriteLine($"  [{name} host] ... and {more:N0} more lines of its log output");
            }

            listening.TrySetException(new InvalidOperationException($"the {name} host ended before it listened"));
        })
        { IsBackground = true, Name = "child host output" };
        reader.Start();
        try
        {
            var address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            return new ChildHost(process, address, reader);
        }
        catch
        {
            Stop(process);
            throw;
        }
    }

    /// <summary>The environment variable naming another build's LoadBench.dll to serve as the child host (its own runtimeconfig beside it).</summary>
    public const string OtherChildVariable = "LOADBENCH_CHILD";

    /// <summary>Which build serves as the child host: this one, or the one <see cref="OtherChildVariable"/> names.</summary>
    public static string Served => Environment.GetEnvironmentVariable(OtherChildVariable) is { Length: > 0 } other ? $"{OtherChildVariable}={other}" : "this build";

    /// <summary>The local host's runtimeconfig, copied beside this bench by the project reference.</summary>
    public const string ProductRuntimeConfig = "ServerlessBilling.Local.runtimeconfig.json";

    /// <summary>The dotnet muxer: this process when it is one, else the one that holds the running runtime.</summary>
    private static string Muxer(string processPath)
    {
        if (Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            return processPath;
        }

        var root = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var muxer = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(muxer) ? muxer : "dotnet";
    }

    /// <summary>The child's CPU time so far (all its threads, its GC included).</summary>
    public TimeSpan Cpu()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>The child's resident set size, in MB.</summary>
    public double RssMb()
    {
        _process.Refresh();
        return _process.WorkingSet64 / 1024.0 / 1024.0;
    }

    /// <summary>A full compacting collection in the child; answers its managed heap size after it and what its GC has committed, in MB.</summary>
    public async Task<HeapFigures> CollectAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsync(new Uri(ServeChild.CollectPath, UriKind.Relative), null, cancellationToken);
        return HeapFigures.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>The child's managed heap as of its last collection and what its GC has committed now, in MB; no collection.</summary>
    public async Task<HeapFigures> HeapAsync(HttpClient client, CancellationToken cancellationToken) =>
        HeapFigures.Parse(await client.GetStringAsync(new Uri(ServeChild.HeapPath, UriKind.Relative), cancellationToken));

    /// <summary>What the child's memory store holds now (<see cref="StoreFigures"/>);
    /// zeros from a child that has no such endpoint (an older build under <see cref="OtherChildVariable"/>).</summary>
    public static async Task<StoreFigures> StoreAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(new Uri(ServeChild.StorePath, UriKind.Relative), cancellationToken);
        return response.IsSuccessStatusCode ? StoreFigures.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) : default;
    }

    /// <summary>How many methods the child's JIT has compiled so far (tier-0 and optimized alike).</summary>
    public static async Task<long> CompiledMethodsAsync(HttpClient client, CancellationToken cancellationToken) =>
        long.Parse(await client.GetStringAsync(new Uri(ServeChild.JitPath, UriKind.Relative), cancellationToken), CultureInfo.InvariantCulture);

    /// <summary>Puts <paramref name="applied"/> earlier CDR ids into the applied sets of accounts <c>prefix0000</c>…: the steady state.</summary>
    public static async Task FillAppliedAsync(HttpClient client, string prefix, int count, int applied, CancellationToken cancellationToken)
    {
        var uri = new Uri(string.Create(CultureInfo.InvariantCulture, $"{ServeChild.FillAppliedPath}?prefix={prefix}&count={count}&applied={applied}"), UriKind.Relative);
        using var response = await client.PostAsync(uri, null, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        Stop(_process);
        await Task.Run(() => _reader.Join(TimeSpan.FromSeconds(5)));
        _process.Dispose();
    }

    private static void Stop(Process process)
    {
        try
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                process.Kill(); // this child only, by its own handle
                process.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
        catch (InvalidOperationException)
        {
            // It has ended already.
        }
    }
}

/// <summary>The managed heap (as of the last collection) and the GC's committed memory, in MB.</summary>
internal readonly record struct HeapFigures(double HeapMb, double CommittedMb)
{
    public static HeapFigures Parse(string text)
    {
        var parts = text.Split(' ');
        return new(long.Parse(parts[0], CultureInfo.InvariantCulture) / 1024.0 / 1024.0, long.Parse(parts[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0);
    }
}

/// <summary>
/// What the memory store holds: usage records, session ids (open and closed), per-destination totals of the account
/// documents and quarantined CDRs (0 from an older child that does not say).
/// </summary>
internal readonly record struct StoreFigures(long UsageRecords, long SessionIds, long DestinationTotals, long Quarantined)
{
    public static StoreFigures Parse(string text)
    {
        var parts = text.Split(' ').Select(p => long.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return new(parts[0], parts[1], parts[2], parts.Length > 3 ? parts[3] : 0);
    }
}
