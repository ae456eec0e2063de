namespace ServerlessBilling.Core.Accounts;

/// <summary>A change of an account's mode: when it took effect, and the mode the account had until then.</summary>
public sealed record ModeChange(DateTimeOffset At, AccountMode From);

/// <summary>
/// The latest mode changes of an account, oldest first, at most <see cref="Kept"/>: which mode a billing period (or a
/// part of one) ran under, so that the invoice run issues each its own document, and a late charge finds a document of
/// its call's mode. An account that never changed mode keeps none, and every period has the mode of its settings.
/// Equal when the changes are.
/// </summary>
internal readonly struct ModeHistory(IReadOnlyList<ModeChange>? items) : IEquatable<ModeHistory>
{
    /// <summary>
    /// How many changes are kept (the newest): every change of the periods a document keeps open, at the most parts
    /// each (<see cref="BillingPeriod.MaxParts"/>), and more, so that the mode of a late call's start is known too.
    /// </summary>
    public const int Kept = 5 * BillingPeriod.MaxParts;

    public IReadOnlyList<ModeChange>? Items { get; } = items is { Count: > 0 } ? items : null;

    /// <summary>The mode in force at <paramref name="instant"/>: that before the first change after it, else <paramref name="current"/>.</summary>
    public AccountMode At(DateTimeOffset instant, AccountMode current)
    {
        foreach (var change in Items ?? [])
        {
            if (change.At > instant)
            {
                return change.From;
            }
        }

        return current;
    }

    /// <summary>This history with <paramref name="change"/> last, the oldest beyond <see cref="Kept"/> forgotten.</summary>
    public ModeHistory Add(ModeChange change)
    {
        var items = Items ?? [];
        var kept = Math.Min(items.Count, Kept - 1);
        var next = new ModeChange[kept + 1];
        for (var i = 0; i < kept; i++)
        {
            next[i] = items[items.Count - kept + i];
        }

        next[kept] = change;
        return new ModeHistory(next);
    }

    public bool Equals(ModeHistory other) =>
        ReferenceEquals(Items, other.Items) || (Items is { } mine && other.Items is { } theirs && mine.SequenceEqual(theirs));

    public override bool Equals(object? obj) => obj is ModeHistory other && Equals(other);

    public override int GetHashCode() => Items?.Count ?? 0;
}
