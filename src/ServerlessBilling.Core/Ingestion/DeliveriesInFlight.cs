namespace ServerlessBilling.Core.Ingestion;

/// <summary>
/// The CDR batches this process is ingesting, so that two deliveries at once of the same CDR ids know of each other.
/// A delivery that finds ids applied by the account document with no usage record yet cannot tell from the stores alone
/// whether the delivery that moved their money is still writing the records or died before it did: it used to write the
/// records itself (the repair after a crash), with its own copy's content. When that copy said something else (another
/// duration) and its records landed first, they stood for calls charged at the other copy's price, and the copy was
/// counted as a duplicate of itself. Now a delivery leaves the records of ids another delivery under way holds to that
/// delivery, and judges its own copies against the records once that delivery's are written.
/// </summary>
/// <remarks>
/// One entry per batch, not per CDR: the common path pays two locked list operations a batch. The look-ups run only
/// for ids found applied without a record (rare), and scan the few batches in flight. Deliveries in other processes are
/// not seen here: for them the stores alone decide, as before.
/// </remarks>
internal sealed class DeliveriesInFlight
{
    private readonly List<Delivery> _deliveries = [];
    private readonly Lock _lock = new();

    /// <summary>Starts a delivery: <paramref name="holds"/> says whether it holds a CDR id of an account.</summary>
    public Delivery Start(Func<string, string, bool> holds)
    {
        var delivery = new Delivery(this, holds);
        lock (_lock)
        {
            _deliveries.Add(delivery);
        }

        return delivery;
    }

    /// <summary>
    /// Ends a delivery: no one waits for it any longer. One that did not say its records were written (its batch failed)
    /// ends as not having written them.
    /// </summary>
    public void End(Delivery delivery)
    {
        delivery.RecordsWritten(false);
        lock (_lock)
        {
            _deliveries.Remove(delivery);
        }

        delivery.Close();
    }

    /// <summary>Whether a delivery other than <paramref name="self"/> under way holds the CDR id of the account.</summary>
    public bool HeldElsewhere(string accountId, string cdrId, Delivery self) => Others(self).Any(d => d.Holds(accountId, cdrId));

    /// <summary>
    /// Waits until every other delivery under way that holds one of the ids is done with its usage records: true when each
    /// wrote them, false when one could not (its batch failed, to be delivered again).
    /// </summary>
    public async Task<bool> OthersRecordedAsync(string accountId, IEnumerable<string> cdrIds, Delivery self, CancellationToken cancellationToken)
    {
        var ids = cdrIds.ToList();
        var waits = Others(self).Where(d => ids.Exists(id => d.Holds(accountId, id))).Select(d => d.Recorded).ToList();
        return waits.Count == 0 || Array.TrueForAll(await Task.WhenAll(waits).WaitAsync(cancellationToken), written => written);
    }

    private List<Delivery> Others(Delivery self)
    {
        lock (_lock)
        {
            return _deliveries.FindAll(d => !ReferenceEquals(d, self));
        }
    }

    /// <summary>One batch under way; disposed, it ends (see <see cref="End"/>).</summary>
    internal sealed class Delivery(DeliveriesInFlight owner, Func<string, string, bool> holds) : IDisposable
    {
        private readonly TaskCompletionSource<bool> _recorded = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the batch's usage records are written (true), or could not be (false: the batch failed).</summary>
        public Task<bool> Recorded => _recorded.Task;

        // Another delivery may still be asking (it took this one from the list before it ended) when this one's batch is
        // answered and its records handed back to be reused by the next batch: once ended it holds nothing and reads nothing.
        private readonly Lock _gate = new();
        private bool _ended;

        /// <summary>Whether the batch holds the CDR id of the account; false once it has ended.</summary>
        public bool Holds(string accountId, string cdrId)
        {
            lock (_gate)
            {
                return !_ended && holds(accountId, cdrId);
            }
        }

        /// <summary>Ends the delivery's answers: returns once no <see cref="Holds"/> is reading its batch.</summary>
        internal void Close()
        {
            lock (_gate)
            {
                _ended = true;
            }
        }

        /// <summary>The batch is done with its usage records (<paramref name="written"/>: all of them written): deliveries waiting to judge their copies go on.</summary>
        public void RecordsWritten(bool written) => _recorded.TrySetResult(written);

        public void Dispose() => owner.End(this);
    }
}
