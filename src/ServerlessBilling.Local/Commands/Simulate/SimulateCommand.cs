using Spectre.Console;

namespace ServerlessBilling.Local.Commands.Simulate;

/// <summary>
/// <c>simulate --url URL --key K --seed 1 --rate 50 --duration 60s</c>: drives a platform as a switch would and
/// checks its books (see <see cref="SimulateOptions.Usage"/>). Progress and the report go to <paramref name="stdout"/>
/// (a live view when <paramref name="console"/> is given: a terminal); argument errors to <paramref name="stderr"/>.
/// </summary>
public sealed class SimulateCommand(TextWriter stdout, TextWriter stderr, IAnsiConsole? console, TimeProvider time)
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The wait before the first retry of a request that got no answer (then doubling, 6 attempts in all).</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken = default)
    {
        var options = SimulateOptions.Parse(args, time.GetUtcNow(), out var help, out var error);
        if (help)
        {
            stdout.Write(SimulateOptions.Usage);
            stdout.Flush();
            return ExitCodes.Ok;
        }

        if (options is null)
        {
            stderr.WriteLine($"simulate: {error}");
            stderr.WriteLine();
            stderr.Write(SimulateOptions.Usage);
            return ExitCodes.Usage;
        }

        using var client = new PlatformClient(options.Url, options.Key, RequestTimeout, FirstRetryDelay);
        var stats = new SimulationStats();
        var simulation = new Simulation(options, client, stats, time);
        SimulationView view = console is null ? new PlainProgressView(stdout, stats, time) : new LiveConsoleView(console, options, stats, time);
        stdout.WriteLine($"simulate: driving {options.Url} as a switch; accounts {options.IdPrefix}-*, rate deck '{SimulatorDeck.DeckId}'");
        stdout.Flush();
        using var stopView = new CancellationTokenSource();
        var showing = view.ShowAsync(stopView.Token);
        SimulationResult result;
        try
        {
            result = await simulation.RunAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stopView.CancelAsync();
            await showing;
            stderr.WriteLine("simulate: cancelled");
            return ExitCodes.Cancelled;
        }

        await stopView.CancelAsync();
        await showing;
        SimulationReport.Write(stdout, result, stats);
        return result.Fatal switch
        {
            PlatformKeyRefusedException => ExitCodes.Usage,
            PlatformUnreachableException => ExitCodes.PlatformUnreachable,
            PlatformErrorException => ExitCodes.Failed,
            _ when result.Mismatches.Count > 0 || stats.ErrorCount > 0 => ExitCodes.Failed,
            _ => ExitCodes.Ok,
        };
    }
}
