using FsCheck;
using FsCheck.Fluent;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Tests.Rating;

/// <summary>A tariff a deck import would accept: min 0..120, increment 1..60, rate 0..10 and connect fee 0..1 with 4 decimals.</summary>
public sealed record ValidTariff(Tariff Value)
{
    public override string ToString() =>
        $"rate {Value.RatePerMinute} fee {Value.ConnectFee} {Value.MinSeconds}/{Value.IncrementSeconds}";
}

/// <summary>A call duration in seconds, 0 to a little over five hours.</summary>
public sealed record CallSeconds(int Value)
{
    public override string ToString() => $"{Value} s";
}

/// <summary>An available balance, 0 to 100 with 4 decimals.</summary>
public sealed record Budget(decimal Value)
{
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The seconds a switch asks for, 1 to a little over five hours.</summary>
public sealed record Cap(int Value)
{
    public override string ToString() => $"cap {Value} s";
}

public static class RatingArbitraries
{
    public static Gen<Tariff> Tariffs { get; } =
        from min in Gen.Choose(0, 120)
        from increment in Gen.Choose(1, 60)
        from rate in Gen.Choose(0, 100_000)
        from fee in Gen.Frequency((1, Gen.Constant(0)), (2, Gen.Choose(0, 10_000)))
        select new Tariff(rate / 10_000m, fee / 10_000m, min, increment);

    public static Arbitrary<ValidTariff> ValidTariff() => Arb.From(Tariffs.Select(t => new ValidTariff(t)));

    public static Arbitrary<CallSeconds> CallSeconds() =>
        Arb.From(Gen.Frequency((3, Gen.Choose(0, 300)), (1, Gen.Choose(0, 20_000))).Select(s => new CallSeconds(s)));

    public static Arbitrary<Budget> Budget() =>
        Arb.From(Gen.Frequency((3, Gen.Choose(0, 50_000)), (1, Gen.Choose(0, 1_000_000))).Select(b => new Budget(b / 10_000m)));

    public static Arbitrary<Cap> Cap() =>
        Arb.From(Gen.Frequency((3, Gen.Choose(1, 600)), (1, Gen.Choose(1, 20_000))).Select(c => new Cap(c)));
}
