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
    public void The_host_runs_a_blocking_compacting_collector_that_conserves_memory()
    {
        var file = Path.Combine(Path.GetDirectoryName(typeof(LocalHost).Assembly.Location)!, "ServerlessBilling.Local.runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(file));
        var properties = json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.False(properties.GetProperty("System.GC.Concurrent").GetBoolean());
        Assert.InRange(properties.GetProperty("System.GC.ConserveMemory").GetInt32(), 1, 9);
    }
}
