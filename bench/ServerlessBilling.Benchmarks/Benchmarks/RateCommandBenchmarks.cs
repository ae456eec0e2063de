using System.Text;
using BenchmarkDotNet.Attributes;
using ServerlessBilling.Benchmarks.Data;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core;
using ServerlessBilling.Local.Commands.Rate;

namespace ServerlessBilling.Benchmarks.Benchmarks;

/// <summary>
/// The rate command's parts, from memory to a discarding UTF-8 stream: writing result lines (must allocate
/// nothing per line) and the whole per-line pipeline (read, validate, rate, write). One operation is one CDR.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BenchConfig))]
public class RateCommandBenchmarks
{
    public const int Lines = 100_000;

    private RateDeck _deck = null!;
    private string _csv = "";
    private (string CdrId, RatingOutcome Outcome)[] _rated = [];
    private StreamWriter _output = null!;
    private RatedCdrCsvWriter _writer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var deck = SyntheticDeck.Create();
        _deck = RateDeckParser.Parse("bench", deck.ToCsv()).Deck ?? throw new InvalidOperationException("the synthetic deck does not import");
        _csv = SyntheticCdrs.ToCsv(deck, Lines);
        _rated = SyntheticCdrs.Calls(deck, Lines)
            .Select((call, i) => ($"c-{i}", _deck.Rate(call.CalledNumber, call.Start, call.DurationSeconds, call.Disposition)))
            .ToArray();
        _output = new StreamWriter(Stream.Null, new UTF8Encoding(false), 1 << 20);
        _writer = new RatedCdrCsvWriter(_output);
    }

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    [Benchmark(OperationsPerInvoke = Lines)]
    public void WriteResultLines()
    {
        foreach (var (cdrId, outcome) in _rated)
        {
            if (outcome.IsRated)
            {
                _writer.WriteRated(cdrId, outcome.Row!, outcome.BilledSeconds, outcome.Charge);
            }
            else
            {
                _writer.WriteRejected(cdrId, outcome.Reason!);
            }
        }

        _output.Flush();
    }

    [Benchmark(OperationsPerInvoke = Lines)]
    public long ReadRateWrite() =>
        new CdrFileRater(_deck, TimeProvider.System, TextWriter.Null).Rate(new StringReader(_csv), _output).Rated;
}
