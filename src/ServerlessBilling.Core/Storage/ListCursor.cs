using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Monitoring;

namespace ServerlessBilling.Core.Storage;

/// <summary>
/// Where a page of a listing stopped: the time and id of the last entry it gave (usage: start time and CDR id, oldest
/// first or, on request, newest first; quarantine: received time and quarantine id, newest first; alerts: raised time and alert id, newest first; ties by id in ordinal order). The next page holds
/// the entries after it in that order, so a page that ends inside a run of entries with one time neither loses nor
/// repeats any of them.
/// </summary>
public sealed record ListCursor(DateTimeOffset At, string Id)
{
    /// <summary>The cursor after <paramref name="record"/> in a listing of usage.</summary>
    public static ListCursor After(UsageRecord record) => new(record.StartTime, record.CdrId);

    /// <summary>The cursor after <paramref name="record"/> in a listing of the quarantine.</summary>
    public static ListCursor After(QuarantineRecord record) => new(record.ReceivedAt, record.QuarantineId);

    /// <summary>The cursor after <paramref name="alert"/> in a listing of alerts.</summary>
    public static ListCursor After(Alert alert) => new(alert.RaisedAt, alert.AlertId);

    /// <summary>Whether an entry of time <paramref name="at"/> and id <paramref name="id"/> comes after the cursor, oldest first.</summary>
    public bool IsBefore(DateTimeOffset at, string id) => at > At || (at == At && string.CompareOrdinal(id, Id) > 0);

    /// <summary>Whether an entry of time <paramref name="at"/> and id <paramref name="id"/> comes after the cursor, newest first.</summary>
    public bool IsBeforeNewestFirst(DateTimeOffset at, string id) => at < At || (at == At && string.CompareOrdinal(id, Id) > 0);

    /// <summary>Whether an entry of time <paramref name="at"/> and id <paramref name="id"/> comes after the cursor in <paramref name="order"/>.</summary>
    public bool IsBefore(ListOrder order, DateTimeOffset at, string id) => order == ListOrder.NewestFirst ? IsBeforeNewestFirst(at, id) : IsBefore(at, id);

    /// <summary>
    /// Whether entries of time <paramref name="at"/> may come after the cursor in <paramref name="order"/> (those of the
    /// cursor's own time may: ties continue by id); a store skips the others without reading them.
    /// </summary>
    public bool Reaches(ListOrder order, DateTimeOffset at) => order == ListOrder.NewestFirst ? at <= At : at >= At;
}
