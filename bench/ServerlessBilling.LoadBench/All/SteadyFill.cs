using System.Globalization;
using System.Text;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Ingest;
using ServerlessBilling.LoadBench.Scenarios;

namespace ServerlessBilling.LoadBench.All;

/// <summary>
/// What a long steady run holds that a fresh host has yet to fill, put in before the timed run of <c>rssfilled</c>: the
/// account documents' totals of every destination the CDRs call (one per account, destination and period, which the
/// CDRs fill only in about half an hour, the rarest destinations last), and the quarantine at its bound (the CDRs'
/// 0.4% of bad lines fill it in about 40 minutes). The totals are put in by the child (zero charges for every
/// destination of the deck, through <see cref="AccountState.Commit"/>); the quarantine by CDR batches over HTTP whose
/// lines are all unrated, so that the records are the ones the ingestion makes.
/// </summary>
internal static class SteadyFill
{
    /// <summary>The deck's destinations, each once: what the totals of an account that called everything hold.</summary>
    public static IReadOnlyList<string> Destinations(RateDeck deck) =>
        deck.Rows.Select(r => r.Destination).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// In the child: a zero charge for every destination of <paramref name="deck"/> on each account (calls started half
    /// an hour ago, this period): every destination then has its totals, as after a long run. Answers the totals added.
    /// </summary>
    public static async Task<long> TotalsAsync(IAccountStore store, RateDeck deck, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var destinations = Destinations(deck);
        var now = DateTimeOffset.UtcNow;
        long added = 0;
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            var current = await store.GetAsync(id, ct) ?? throw new InvalidOperationException($"account {id} does not exist");
            var state = current.Value;
            var before = DestinationCount(state);
            foreach (var destination in destinations)
            {
                state = state.Commit(new ChargeLine(0m, 0, 0, destination, now.AddMinutes(-30)), now);
            }

            if (await store.TryReplaceAsync(state, current.ETag, ct) is null)
            {
                throw new InvalidOperationException($"account {id} changed while its destination totals were filled");
            }

            Interlocked.Add(ref added, DestinationCount(state) - before);
        });
        return added;
    }

    /// <summary>The per-destination totals an account document holds, over every period it keeps.</summary>
    public static long DestinationCount(AccountState account)
    {
        long count = 0;
        foreach (var period in account.Totals.Values)
        {
            count += period.ByDestination.Count;
        }

        return count;
    }

    /// <summary>From the bench: has the child fill the totals of accounts <c>prefix0000</c>… with every destination of the deck.</summary>
    public static async Task<long> FillTotalsAsync(HttpClient client, string prefix, int count, string deckId, CancellationToken cancellationToken)
    {
        var uri = new Uri(string.Create(CultureInfo.InvariantCulture, $"{ServeChild.FillTotalsPath}?prefix={prefix}&count={count}&deck={deckId}"), UriKind.Relative);
        using var response = await client.PostAsync(uri, null, cancellationToken);
        response.EnsureSuccessStatusCode();
        return long.Parse(await response.Content.ReadAsStringAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// From the bench: posts <paramref name="count"/> CDRs whose called number no prefix of the deck matches, spread over
    /// <paramref name="accounts"/>, in batches of 5,000: the ingestion quarantines each, as it does the steady run's.
    /// Answers how many were quarantined.
    /// </summary>
    public static async Task<long> FillQuarantineAsync(HttpClient client, string[] accounts, int count, CancellationToken cancellationToken)
    {
        const int Batch = 5000;
        var start = DateTimeOffset.UtcNow.AddMinutes(-30).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        long quarantined = 0;
        for (var first = 0; first < count; first += Batch)
        {
            var size = Math.Min(count, first + Batch) - first;
            var csv = new StringBuilder(Batch * 100).Append(CdrBatchFactory.Header).Append('\n');
            for (var i = first; i < first + size; i++)
            {
                csv.Append(CultureInfo.InvariantCulture,
                    $"q-{i:D7},{accounts[i % accounts.Length]},+4477009{i % 100_000:D5},{IngestDeck.UnratedNumber},{start},{1 + (i % 300)},ANSWERED,\n");
            }

            var batch = new GeneratedBatch(first / Batch, size, csv.ToString(), 0, 0, size);
            quarantined += (await IngestHttp.PostAsync(client, batch, cancellationToken))?.Quarantined
                ?? throw new InvalidOperationException("a quarantine fill batch failed");
        }

        return quarantined;
    }
}
