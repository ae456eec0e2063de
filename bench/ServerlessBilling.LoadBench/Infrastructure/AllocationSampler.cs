using System.Diagnostics.Tracing;

namespace ServerlessBilling.LoadBench.Infrastructure;

/// <summary>
/// Counts the runtime's allocation samples (GCAllocationTick: one about every 100 KB allocated, naming the type of the
/// object that crossed the mark) from every thread while it is alive: which types a run's allocation is made of.
/// Byte arrays are split by size, since buffers and rows are both byte arrays.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private volatile bool _stopped;

    public override void Dispose()
    {
        _stopped = true;
        base.Dispose();
    }

    public Table Table(string title, int rows)
    {
        KeyValuePair<string, int>[] counts;
        lock (_counts)
        {
            counts = [.. _counts.OrderByDescending(c => c.Value).Take(rows)];
        }

        var total = Math.Max(1, counts.Sum(c => c.Value));
        var table = new Table(title, "type", "samples", "share %");
        foreach (var (type, count) in counts)
        {
            table.Add(type.Length > 100 ? type[..100] + "..." : type, Fmt.N0(count), Fmt.N1(100.0 * count / total));
        }

        return table;
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: the allocation ticks
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (_stopped || eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.PayloadNames is not { } names)
        {
            return;
        }

        var type = names.IndexOf("TypeName") is var t and >= 0 ? eventData.Payload![t]?.ToString() ?? "?" : "?";
        if (type == "System.Byte[]" && names.IndexOf("ObjectSize") is var s and >= 0)
        {
            var size = Convert.ToInt64(eventData.Payload![s], System.Globalization.CultureInfo.InvariantCulture);
            type += size switch { < 1024 => " (<1 KB)", < 4096 => " (1-4 KB)", < 16384 => " (4-16 KB)", _ => " (16 KB+)" };
        }

        lock (_counts)
        {
            _counts[type] = _counts.GetValueOrDefault(type) + 1;
        }
    }
}
