using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;

namespace ServerlessBilling.Benchmarks.Benchmarks;

/// <summary>Adds operations per second: with OperationsPerInvoke = one per CDR, that is CDRs per second.</summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
