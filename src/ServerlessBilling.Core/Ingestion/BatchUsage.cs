using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Ingestion;

/// <summary>The usage records of a batch's account groups, gathered for one write (groups add from several threads).</summary>
internal sealed class BatchUsage
{
    private readonly List<List<UsageRecord>> _groups = [];
    private int _count;

    public void Add(List<UsageRecord> records)
    {
        lock (_groups)
        {
            _groups.Add(records);
            _count += records.Count;
        }
    }

    /// <summary>Writes every record gathered, once (a store's fault, even one thrown at the call, ends in the task).</summary>
    public async Task WriteAsync(IUsageStore usage, CancellationToken cancellationToken)
    {
        List<UsageRecord> all;
        lock (_groups)
        {
            if (_count == 0)
            {
                return;
            }

            all = new List<UsageRecord>(_count);
            foreach (var group in _groups)
            {
                all.AddRange(group);
            }

            _groups.Clear();
            _count = 0;
        }

        await usage.TryCreateManyAsync(all, cancellationToken);
    }
}
