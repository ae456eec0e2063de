using System.Runtime;
using System.Text.Json;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.Local.Tests.Serve;

/// <summary>
/// The host ships the GC settings that keep its resident memory close to its live heap (GarbageCollection.props): they
/// are in its runtimeconfig.json, not only in the bench that measured them.
/// </summary>
public sealed class GarbageCollectionSettingsTests
{
    [Fact]
    public void The_host_runs_a_workstation_collector_with_the_small_young_budgets_of_background_collection_that_conserves_memory()
    {
        var file = Path.Combine(Path.GetDirectoryName(typeof(LocalHost).Assembly.Location)!, "ServerlessBilling.Local.runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(file));
        var properties = json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
        // Enabled for its budgets (gen0 about the cache, gen1 6 MB, instead of up to 200 MB each); turned off at start.
        Assert.True(properties.GetProperty("System.GC.Concurrent").GetBoolean());
        Assert.InRange(properties.GetProperty("System.GC.ConserveMemory").GetInt32(), 1, 9);
    }

    [Fact]
    public async Task Once_built_the_host_collects_blocking_so_that_gen2_compacts()
    {
        await using var app = LocalHost.Build(["--urls=http://127.0.0.1:0", "--Store=memory", "--Local:SeedDemo=false"]);

        Assert.Equal(GCLatencyMode.Batch, GCSettings.LatencyMode);
    }
}
