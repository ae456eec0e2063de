using System.Globalization;
using BenchmarkDotNet.Attributes;
using ServerlessBilling.Benchmarks.Data;
using ServerlessBilling.Benchmarks.Proposals;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Benchmarks.Benchmarks;

/// <summary>
/// Core today (baselines) against the proposed Core changes in Proposals/, on the same data as
/// <see cref="RatingBenchmarks"/>. Setup checks that each proposal gives Core's results. One operation is one call.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BenchConfig))]
public class ProposalBenchmarks
{
    public const int Calls = 100_000;

    private RateDeck _deck = null!;
    private CompactPrefixIndex _compact = null!;
    private SyntheticCall[] _calls = [];
    private Tariff[] _tariffs = [];
    private IntegerCharge[] _integerCharges = [];
    private string[] _startTimes = [];

    [Params(Traffic.Uniform, Traffic.Skewed)]
    public Traffic Traffic { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var deck = SyntheticDeck.Create();
        _deck = RateDeckParser.Parse("bench", deck.ToCsv()).Deck ?? throw new InvalidOperationException("the synthetic deck does not import");
        _calls = SyntheticCdrs.Calls(deck, Calls, traffic: Traffic);
        _compact = new CompactPrefixIndex(_deck.Rows);
        _tariffs = [.. _calls.Select(c => (_deck.Find(c.CalledNumber, c.Start) ?? _deck.Rows[0]).Tariff)];
        _integerCharges = [.. _tariffs.Select(t => IntegerCharge.TryCreate(t, out var c) ? c : throw new InvalidOperationException($"not exact: {t}"))];
        _startTimes = [.. _calls.Select(c => c.Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))];
        Console.WriteLine(ProposalChecks.CheckIndex(_deck, _calls));
        Console.WriteLine(ProposalChecks.CheckCharge(200_000));
        Console.WriteLine(ProposalChecks.CheckStartTime(200_000));
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    public int FindCore()
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

    [Benchmark(OperationsPerInvoke = Calls)]
    public decimal RateCore()
    {
        var total = 0m;
        foreach (var call in _calls)
        {
            total += _deck.Rate(call.CalledNumber, call.Start, call.DurationSeconds, call.Disposition).Charge;
        }

        return total;
    }

    /// <summary>Rating with both proposals: the compact index and the integer charge.</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public decimal RateProposed()
    {
        var total = 0m;
        foreach (var call in _calls)
        {
            total += _compact.Rate(call.CalledNumber, call.Start, call.DurationSeconds, call.Disposition).Charge;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public decimal ChargeCore()
    {
        var total = 0m;
        for (var i = 0; i < _calls.Length; i++)
        {
            total += Rater.Charge(_tariffs[i], Rater.BilledSeconds(_calls[i].DurationSeconds, true, _tariffs[i]));
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public decimal ChargeInteger()
    {
        var total = 0m;
        for (var i = 0; i < _calls.Length; i++)
        {
            total += _integerCharges[i].Charge(Rater.BilledSeconds(_calls[i].DurationSeconds, true, _tariffs[i]));
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public long StartTimeCore()
    {
        var ticks = 0L;
        foreach (var text in _startTimes)
        {
            ticks += FastStartTime.TryParseExact(text, out var start) ? start.UtcTicks & 0xFF : 0;
        }

        return ticks;
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public long StartTimeFast()
    {
        var ticks = 0L;
        foreach (var text in _startTimes)
        {
            ticks += FastStartTime.TryParse(text, out var start) ? start.UtcTicks & 0xFF : 0;
        }

        return ticks;
    }
}
