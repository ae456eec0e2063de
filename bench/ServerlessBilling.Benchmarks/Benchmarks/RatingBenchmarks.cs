using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using ServerlessBilling.Benchmarks.Data;
using ServerlessBilling.Benchmarks.Proposals;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Benchmarks.Benchmarks;

/// <summary>
/// Destination lookup and full rating (lookup, billed seconds, charge) on the 200,000-row deck, over
/// 100,000 pre-generated calls, with uniform (worst case for the caches) and skewed (realistic) traffic:
/// Core (the baseline of each category) and the not yet adopted <see cref="CompactPrefixIndex"/>, which setup
/// checks gives Core's results. One operation is one call: Op/s is CDRs per second; Allocated must be 0 B.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BenchConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RatingBenchmarks
{
    public const int Calls = 100_000;

    private RateDeck _deck = null!;
    private CompactPrefixIndex _compact = null!;
    private SyntheticCall[] _calls = [];

    [Params(Traffic.Uniform, Traffic.Skewed)]
    public Traffic Traffic { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var deck = SyntheticDeck.Create();
        _deck = RateDeckParser.Parse("bench", deck.ToCsv()).Deck ?? throw new InvalidOperationException("the synthetic deck does not import");
        _calls = SyntheticCdrs.Calls(deck, Calls, traffic: Traffic);
        _compact = new CompactPrefixIndex(_deck.Rows);
        Console.WriteLine(ProposalChecks.CheckIndex(_deck, _calls));
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    [BenchmarkCategory("Find")]
    public int Find()
    {
        var found = 0;
        foreach (var call in _calls)
        {
            if (_deck.Find(call.CalledNumber, call.Start) is not null)
            {
                found++;
            }
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    [BenchmarkCategory("Find")]
    public int FindCompact()
    {
        var found = 0;
        foreach (var call in _calls)
        {
            var digits = CalledNumber.Normalize(call.CalledNumber);
            if (!digits.IsEmpty && _compact.Find(digits, call.Start.UtcTicks) is not null)
            {
                found++;
            }
        }

        return found;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    [BenchmarkCategory("Rate")]
    public decimal Rate()
    {
        var total = 0m;
        foreach (var call in _calls)
        {
            total += _deck.Rate(call.CalledNumber, call.Start, call.DurationSeconds, call.Disposition).Charge;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    [BenchmarkCategory("Rate")]
    public decimal RateCompact()
    {
        var total = 0m;
        foreach (var call in _calls)
        {
            total += _compact.Rate(call.CalledNumber, call.Start, call.DurationSeconds, call.Disposition).Charge;
        }

        return total;
    }
}
