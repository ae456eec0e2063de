using ServerlessBilling.Core.Storage.InMemory;

namespace ServerlessBilling.Core.Tests.Storage;

/// <summary>The clock that bounds the documents a memory store keeps parsed, under writers faster than one packer.</summary>
public sealed class ParsedClockTests
{
    /// <summary>
    /// Packing is slower than parsing: one thread packing while the others went on let the parsed documents grow with
    /// the writers' lead (ingestion over 100,000 accounts on a busy machine kept tens of thousands parsed, a heap of
    /// 498 MB where 217 MB were live data, until the packer caught up after the load).
    /// </summary>
    [Fact]
    public async Task Writers_faster_than_one_packer_keep_the_parsed_entries_within_the_capacity_and_its_slack()
    {
        const int Capacity = 50, Writers = 4, JoinsEach = 400;
        var left = 0;
        var clock = new ParsedClock<int>(Capacity, _ =>
        {
            Thread.Sleep(1); // packing a document takes longer than parsing one
            Interlocked.Increment(ref left);
            return true;
        });
        var most = 0;
        using var start = new Barrier(Writers);

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < JoinsEach; i++)
            {
                clock.Join((w * JoinsEach) + i);
                var count = clock.Count;
                int seen;
                while (count > (seen = Volatile.Read(ref most)) && Interlocked.CompareExchange(ref most, count, seen) != seen)
                {
                }
            }
        }, TaskCreationOptions.LongRunning)));

        Assert.InRange(most, Capacity + 1, Capacity + clock.Slack + Writers);
        Assert.InRange(clock.Count, 0, Capacity + clock.Slack + Writers);
        Assert.Equal((Writers * JoinsEach) - clock.Count, left);
    }

    [Fact]
    public void An_entry_used_since_the_clock_last_passed_stays_one_more_round_and_the_oldest_unused_leaves()
    {
        var used = new HashSet<int> { 0 };
        var leftOrder = new List<int>();
        var clock = new ParsedClock<int>(2, entry =>
        {
            if (used.Remove(entry))
            {
                return false;
            }

            leftOrder.Add(entry);
            return true;
        });

        for (var i = 0; i < 4; i++)
        {
            clock.Join(i);
        }

        Assert.Equal([1, 2], leftOrder); // 0 was used: it went round once more, behind 1 and 2
        Assert.Equal(2, clock.Count);
    }
}
