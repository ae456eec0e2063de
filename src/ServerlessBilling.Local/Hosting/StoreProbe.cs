using Microsoft.Extensions.Options;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;

namespace ServerlessBilling.Local.Hosting;

/// <summary>Whether the store answers: one read of an account that need not exist. Used at start and by /readyz.</summary>
public static class StoreProbe
{
    public const string ProbeAccountId = "readyz-probe";

    /// <summary>Throws when the store does not answer within <paramref name="timeout"/>, or faults.</summary>
    public static async Task ProbeAsync(IServiceProvider services, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Resolving the store may itself connect (the Cosmos adapter creates its database when first resolved,
        // with no cancellation), so resolution and read both run under the timeout.
        var probe = Task.Run(
            async () => await services.GetRequiredService<IAccountStore>().GetAsync(ProbeAccountId, cancellationToken),
            cancellationToken);
        await probe.WaitAsync(timeout, cancellationToken);
    }

    /// <summary>What the start-up line calls the store in use: the chosen kind and where it keeps its data.</summary>
    public static string Describe(IServiceProvider services)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        return StoreSelection.Choose(configuration) switch
        {
            "cosmos" => $"cosmos ({configuration["Cosmos:Endpoint"]}, database {configuration["Cosmos:Database"] ?? "billing"})",
            "sqlite" => $"sqlite ({SqliteFile(configuration)}, durability {(configuration["Sqlite:Durability"] is { Length: > 0 } d ? d : "ProcessCrash")})",
            _ => $"memory (in this process; state is lost when it stops; {(services.GetService<IOptions<MemoryStoreOptions>>()?.Value ?? new MemoryStoreOptions()).Describe()})",
        };
    }

    private static string SqliteFile(IConfiguration configuration) =>
        Path.GetFullPath(Path.Combine(
            configuration["Local:DataDirectory"] is { Length: > 0 } dir ? dir : LocalOptions.DefaultDataDirectory,
            configuration["Sqlite:FileName"] is { Length: > 0 } file ? file : "billing.db"));
}

/// <summary>The store did not answer at start: the host stops with one clear line (exit code 5).</summary>
public sealed class StoreUnreachableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Probes the store before anything else starts, so that an unreachable store fails the start at once.</summary>
public sealed class StoreStartupCheck(IServiceProvider services, IOptions<LocalOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var timeout = options.Value.StoreStartTimeout;
        try
        {
            await StoreProbe.ProbeAsync(services, timeout, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new StoreUnreachableException($"the store did not answer within {timeout.TotalSeconds:0.#} s ({Where()})", e);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new StoreUnreachableException($"the store did not answer ({Where()}): {e.GetBaseException().Message}", e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private string Where() =>
        services.GetRequiredService<IConfiguration>()["Cosmos:Endpoint"] is { Length: > 0 } endpoint ? $"Cosmos:Endpoint={endpoint}" : "the configured store";
}
