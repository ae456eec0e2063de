using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.Local.Tests.Serve;

/// <summary>The start-up line names the store chosen, whatever decorators wrap its adapter.</summary>
public sealed class StoreProbeTests
{
    [Fact]
    public async Task The_memory_store_is_named_memory()
    {
        await using var app = LocalHost.Build(["--urls=http://127.0.0.1:0", "--Store=memory", "--Local:SeedDemo=false"]);

        Assert.StartsWith("memory (", StoreProbe.Describe(app.Services), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_memory_store_says_what_it_keeps_as_set()
    {
        await using var app = LocalHost.Build(["--urls=http://127.0.0.1:0", "--Store=memory", "--Local:SeedDemo=false", "--Memory:MaxUsageRecords=5000",
            "--Memory:MaxClosedSessions=70", "--Memory:SessionHistoryRetention=01:00:00", "--Memory:ParsedAccounts=300",
            "--CreditControl:MaxQuotaSeconds=300", "--CreditControl:ClosedSessionRetention=00:00:00"]); // an hour of history outlives these sessions

        Assert.EndsWith("keeps the last 5,000 usage records, 70 closed sessions and 100,000 quarantined CDRs, session ids for 01:00:00, the 300 most recently used accounts parsed and the rest packed)", StoreProbe.Describe(app.Services), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sqlite_store_is_named_with_its_file_and_durability()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"probe-{Guid.NewGuid():N}");
        try
        {
            await using (var app = LocalHost.Build(["--urls=http://127.0.0.1:0", "--Store=sqlite", $"--Local:DataDirectory={folder}", "--Sqlite:Durability=PowerLoss", "--Local:SeedDemo=false"]))
            {
                Assert.Equal($"sqlite ({Path.Combine(folder, "billing.db")}, durability PowerLoss)", StoreProbe.Describe(app.Services));
            }
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
