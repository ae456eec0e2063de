using System.Globalization;
using ServerlessBilling.LoadBench.Stores;

namespace ServerlessBilling.LoadBench.Ingest;

/// <summary>The stores of one ingest case, wrapped for counting and timing, and Core's ingestion service over them.</summary>
internal sealed class IngestRig
{
    public const string Source = "loadbench";

    public IngestRig(
        IAccountStore accounts, ISessionIndex sessions, IUsageStore usage, IQuarantineStore quarantine, RateDeckCache decks, TimeProvider clock,
        CreditControlOptions options, Func<long>? timer)
    {
        Accounts = new TimedAccountStore(accounts, timer);
        Usage = new TimedUsageStore(usage, timer);
        Quarantine = new TimedQuarantineStore(quarantine, timer);
        Service = new IngestionService(Accounts, new AccountUpdater(Accounts, new AccountWriteOptions()), sessions, Usage, Quarantine, decks, clock, options);
    }

    public TimedAccountStore Accounts { get; }

    public TimedUsageStore Usage { get; }

    public TimedQuarantineStore Quarantine { get; }

    public IngestionService Service { get; }

    public async Task<BatchCounts> IngestAsync(IReadOnlyList<CdrRecord> records, CancellationToken cancellationToken) =>
        BatchCounts.Of(await Service.IngestAsync(records, Source, cancellationToken));

    public void Reset()
    {
        Accounts.Reset();
        Usage.Reset();
        Quarantine.Reset();
    }

    /// <summary>
    /// Puts <paramref name="count"/> earlier CDR ids into each account's applied set, as a document looks after it
    /// has taken that many CDRs (at most <see cref="AccountState.AppliedCdrCapacity"/>): the steady state.
    /// </summary>
    public static async Task FillAppliedAsync(IAccountStore store, IReadOnlyList<string> ids, int count, int parallel, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return;
        }

        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            var current = await store.GetAsync(id, ct) ?? throw new InvalidOperationException($"account {id} does not exist");
            var state = current.Value;
            for (var i = 0; i < count; i++)
            {
                state = state.RememberApplied(string.Create(CultureInfo.InvariantCulture, $"prior-{id}-{i:D6}"));
            }

            if (await store.TryReplaceAsync(state, current.ETag, ct) is null)
            {
                throw new InvalidOperationException($"account {id} changed while its applied set was filled");
            }
        });
    }
}
