using BenchmarkDotNet.Attributes;
using ServerlessBilling.Benchmarks.Data;
using ServerlessBilling.Core.Cdrs;

namespace ServerlessBilling.Benchmarks.Benchmarks;

/// <summary>CSV CDR parsing and validation with <see cref="CdrCsvReader"/>, from memory. One operation is one line.</summary>
[MemoryDiagnoser]
[Config(typeof(BenchConfig))]
public class CdrReadingBenchmarks
{
    public const int Lines = 100_000;

    private string _csv = "";

    [GlobalSetup]
    public void Setup() => _csv = SyntheticCdrs.ToCsv(SyntheticDeck.Create(), Lines);

    [Benchmark(OperationsPerInvoke = Lines)]
    public int ReadCsv()
    {
        var accepted = 0;
        foreach (var record in CdrCsvReader.Read(new StringReader(_csv)))
        {
            if (record.Cdr is not null)
            {
                accepted++;
            }
        }

        return accepted;
    }
}
