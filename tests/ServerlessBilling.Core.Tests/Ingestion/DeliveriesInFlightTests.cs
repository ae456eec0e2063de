using ServerlessBilling.Core.Ingestion;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// The registry of batches under way is asked by one delivery about another that may be ending at that moment: once a
/// delivery has ended, its batch's records are handed back to be reused by the next batch, so it must not be read. It
/// was: a delivery took another from the list, the other ended and its record list was reused, and the question read
/// the reused list (an index out of range, a 500 answer to a CDR batch posted twice at once on the SQLite host).
/// </summary>
public sealed class DeliveriesInFlightTests
{
    [Fact]
    public void An_ended_delivery_holds_nothing_and_its_batch_is_not_read()
    {
        var registry = new DeliveriesInFlight();
        var ended = false;
        var other = registry.Start((_, _) => ended ? throw new InvalidOperationException("read after it ended") : true);
        using var self = registry.Start((_, _) => false);

        Assert.True(registry.HeldElsewhere("a", "c-1", self));
        other.Dispose();
        ended = true;
        Assert.False(registry.HeldElsewhere("a", "c-1", self));
        Assert.False(other.Holds("a", "c-1"));
    }

    [Fact]
    public async Task Questions_racing_deliveries_that_end_never_read_a_batch_after_its_end()
    {
        var registry = new DeliveriesInFlight();
        using var self = registry.Start((_, _) => false);
        var faults = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        var enders = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var ended = false;
                var delivery = registry.Start((_, _) =>
                {
                    if (Volatile.Read(ref ended))
                    {
                        Interlocked.Increment(ref faults);
                    }

                    Thread.SpinWait(50); // a scan of the batch's group
                    return true;
                });
                Thread.SpinWait(20);
                delivery.Dispose();
                Volatile.Write(ref ended, true); // the endpoint hands the records back once the batch has returned
            }
        });
        var askers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                registry.HeldElsewhere("a", "c-1", self);
            }
        })).ToArray();

        await Task.WhenAll([enders, .. askers]);
        Assert.Equal(0, faults);
    }
}
