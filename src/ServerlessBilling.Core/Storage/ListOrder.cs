namespace ServerlessBilling.Core.Storage;

/// <summary>
/// The order of a listing by time: oldest or newest first, ties by id in ordinal order either way (the order a
/// <see cref="ListCursor"/> continues in). Usage lists oldest first unless asked otherwise; the quarantine and alerts
/// newest first.
/// </summary>
public enum ListOrder
{
    OldestFirst,
    NewestFirst,
}

/// <summary>A page of a listing put in its <see cref="ListOrder"/>, for the stores that order entries in memory.</summary>
public static class ListPage
{
    /// <summary>
    /// The first <paramref name="limit"/> of <paramref name="entries"/> that come after <paramref name="after"/> (all of
    /// them without one), in <paramref name="order"/>; <paramref name="key"/> gives an entry's time and id.
    /// </summary>
    public static List<T> Of<T>(IEnumerable<T> entries, Func<T, ListCursor> key, ListOrder order, ListCursor? after, int limit)
    {
        var keyed = entries.Select(e => (Entry: e, Key: key(e))).Where(e => after is null || after.IsBefore(order, e.Key.At, e.Key.Id));
        var byTime = order == ListOrder.NewestFirst ? keyed.OrderByDescending(e => e.Key.At) : keyed.OrderBy(e => e.Key.At);
        return [.. byTime.ThenBy(e => e.Key.Id, StringComparer.Ordinal).Take(limit).Select(e => e.Entry)];
    }
}
