using ServerlessBilling.Core.Ingestion;

namespace ServerlessBilling.Core.Storage;

/// <summary>
/// Where a listing of usage stopped: the start time and CDR id of the last record it gave. Usage is listed by start time,
/// then CDR id; the next page holds the records after this one in that order, so a page that ends inside a run of records
/// with one start time neither loses nor repeats any of them.
/// </summary>
public sealed record UsageCursor(DateTimeOffset StartTime, string CdrId)
{
    /// <summary>The cursor after <paramref name="record"/>.</summary>
    public static UsageCursor After(UsageRecord record) => new(record.StartTime, record.CdrId);

    /// <summary>Whether a record that started at <paramref name="start"/> with <paramref name="cdrId"/> comes after the cursor.</summary>
    public bool IsBefore(DateTimeOffset start, string cdrId) =>
        start > StartTime || (start == StartTime && string.CompareOrdinal(cdrId, CdrId) > 0);
}
