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
    /// has taken that many CDRs (at most <see cref="AccountState.AppliedCdrCapacity"/>), and their usage records into
    /// <paramref name="usage"/> (the applied set forgets an id only once its record exists): the steady state.
    /// </summary>
    public static async Task FillAppliedAsync(IAccountStore store, IUsageStore usage, IReadOnlyList<string> ids, int count, int parallel, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return;
        }

        var appliedAt = DateTimeOffset.UtcNow.AddDays(-1);
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            var current = await store.GetAsync(id, ct) ?? throw new InvalidOperationException($"account {id} does not exist");
            var state = current.Value;
            var records = new List<UsageRecord>(count);
            for (var i = 0; i < count; i++)
            {
                var cdrId = string.Create(CultureInfo.InvariantCulture, $"prior-{id}-{i:D6}");
                state = state.RememberApplied(cdrId);
                records.Add(new UsageRecord(cdrId, id, null, "+447700900123", appliedAt, 60, "ANSWERED", "447", "UK Mobile", 60, 0.05m, state.Settings.Currency.Code,
                    state.PeriodBook.PeriodOf(appliedAt, state.Settings).Label, Settlement.Cdr, null, appliedAt));
            }

            await usage.TryCreateManyAsync(records, ct);
            if (await store.TryReplaceAsync(state, current.ETag, ct) is null)
            {
                throw new InvalidOperationException($"account {id} changed while its applied set was filled");
            }
        });
    }
}
