using BenchmarkDotNet.Attributes;
using ServerlessBilling.Benchmarks.Data;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Benchmarks.Benchmarks;

/// <summary>Importing the 200,000-row deck with <see cref="RateDeckParser"/>: parse, validate, overlap check, prefix index.</summary>
[MemoryDiagnoser]
public class DeckImportBenchmarks
{
    private string _csv = "";

    [GlobalSetup]
    public void Setup() => _csv = SyntheticDeck.Create().ToCsv();

    [Benchmark]
    public int Import200kRows() =>
        RateDeckParser.Parse("bench", new StringReader(_csv)).Deck?.Rows.Count ?? throw new InvalidOperationException("the synthetic deck does not import");
}
