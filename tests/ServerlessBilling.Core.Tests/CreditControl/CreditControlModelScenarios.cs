using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

public enum ModelAccountKind
{
    Prepaid,
    PostpaidHardLimit,
    PostpaidSoftLimit,
}

/// <summary>One step a switch, an operator or time takes against one account.</summary>
public abstract record ModelOp;

/// <summary>Authorize session <c>s{Session}</c> to destination <see cref="CreditControlModel.Destinations"/>[Destination].</summary>
public sealed record AuthorizeOp(int Session, int Destination, int? Requested) : ModelOp;

/// <summary>An interim reporting <see cref="UsedPercent"/> % of the session's current grant as used.</summary>
public sealed record InterimOp(int Session, int UsedPercent, int? Requested) : ModelOp;

/// <summary>An interim whose request number is below the session's last one.</summary>
public sealed record OutOfOrderInterimOp(int Session) : ModelOp;

public sealed record TerminateOp(int Session, int UsedPercent) : ModelOp;

/// <summary>Sends the previous request again, exactly.</summary>
public sealed record ReplayOp : ModelOp;

public sealed record AdvanceOp(int Seconds, bool Sweep) : ModelOp;

/// <summary>A top-up with a new id, or with the id of an earlier one (<see cref="Reuse"/> picks which).</summary>
public sealed record TopUpOp(int? Reuse, int AmountMinor) : ModelOp;

/// <summary>
/// An account of <paramref name="Kind"/> with <paramref name="Money"/> (opening balance, or credit limit when
/// post-paid), opened <paramref name="StartOffset"/> seconds after <see cref="Fixtures.Now"/>: a start close to
/// the end of November lets calls run into the next billing period.
/// </summary>
public sealed record ModelScenario(ModelAccountKind Kind, decimal Money, IReadOnlyList<ModelOp> Ops, int StartOffset = 0)
{
    /// <summary>The account's settings: <see cref="Money"/> is the post-paid credit limit.</summary>
    public Core.Accounts.AccountSettings Settings() => Kind switch
    {
        ModelAccountKind.Prepaid => Fixtures.Prepaid(),
        ModelAccountKind.PostpaidHardLimit => Fixtures.Postpaid(Money, hard: true),
        _ => Fixtures.Postpaid(Money, hard: false),
    };

    /// <summary>The opening balance: <see cref="Money"/> when pre-paid, else nothing.</summary>
    public decimal Opening => Kind == ModelAccountKind.Prepaid ? Money : 0m;

    public override string ToString() =>
        $"{Kind} {Money.ToString(CultureInfo.InvariantCulture)} from +{StartOffset} s:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", Ops);
}

public static class CreditControlModelArbitraries
{
    private static readonly Gen<int?> Requested =
        Gen.Frequency((1, Gen.Constant<int?>(null)), (6, Gen.Choose(0, 400).Select(s => (int?)s)));

    private static readonly Gen<int> Session = Gen.Choose(0, 5);

    private static readonly Gen<int> UsedPercent =
        Gen.Frequency((4, Gen.Choose(0, 100)), (2, Gen.Constant(100)), (1, Gen.Constant(0)), (1, Gen.Choose(101, 300)));

    private static readonly Gen<ModelOp> Op = Gen.Frequency(
        (6, from s in Session from d in Gen.Choose(0, CreditControlModel.Destinations.Length - 1) from r in Requested select (ModelOp)new AuthorizeOp(s, d, r)),
        (5, from s in Session from u in UsedPercent from r in Requested select (ModelOp)new InterimOp(s, u, r)),
        (1, Session.Select(s => (ModelOp)new OutOfOrderInterimOp(s))),
        (4, from s in Session from u in UsedPercent select (ModelOp)new TerminateOp(s, u)),
        (3, Gen.Constant((ModelOp)new ReplayOp())),
        (2, from t in Gen.Frequency((1, Gen.Choose(0, 60)), (2, Gen.Choose(0, 1200))) from sweep in Gen.Frequency((4, Gen.Constant(true)), (1, Gen.Constant(false))) select (ModelOp)new AdvanceOp(t, sweep)),
        (2, from reuse in Gen.Frequency((3, Gen.Constant<int?>(null)), (1, Gen.Choose(0, 9).Select(i => (int?)i)))
            from amount in Gen.Frequency((6, Gen.Choose(1, 300)), (1, Gen.Choose(-50, 0)))
            select (ModelOp)new TopUpOp(reuse, amount)));

    public static Arbitrary<ModelScenario> Scenarios()
    {
        var gen =
            from kind in Gen.Frequency((3, Gen.Constant(ModelAccountKind.Prepaid)), (1, Gen.Constant(ModelAccountKind.PostpaidHardLimit)), (1, Gen.Constant(ModelAccountKind.PostpaidSoftLimit)))
            from money in Gen.Choose(0, 600)
            from offset in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(0, 3600).Select(s => CreditControlModel.SecondsToDecember - s)))
            from ops in Gen.ListOf(Op)
            select new ModelScenario(kind, money / 100m, ops.ToArray(), offset);
        return Arb.From(gen, Shrink);
    }

    private static IEnumerable<ModelScenario> Shrink(ModelScenario scenario)
    {
        var ops = scenario.Ops;
        if (ops.Count > 1)
        {
            yield return scenario with { Ops = ops.Take(ops.Count / 2).ToArray() };
            yield return scenario with { Ops = ops.Skip(ops.Count / 2).ToArray() };
        }

        for (var i = ops.Count - 1; i >= 0; i--)
        {
            yield return scenario with { Ops = ops.Where((_, j) => j != i).ToArray() };
        }
    }
}
