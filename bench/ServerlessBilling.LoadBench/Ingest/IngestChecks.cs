using System.Globalization;

namespace ServerlessBilling.LoadBench.Ingest;

/// <summary>What one batch came back as: the four counts of <c>IngestResult</c> / the HTTP answer.</summary>
internal readonly record struct BatchCounts(int Received, int Accepted, int Duplicates, int Quarantined)
{
    public bool AddsUp => Accepted + Duplicates + Quarantined == Received;

    public static BatchCounts Of(IngestResult result) => new(result.Received, result.Accepted, result.Duplicates, result.Quarantined.Count);
}

/// <summary>
/// The checks printed after each ingest run: nothing lost (accepted + duplicates + quarantined = received, and
/// exactly the counts the generator planted), the replay of a batch applies nothing, and every account's money
/// equals the independent rating of the CDRs it was sent (deck.Rate, first copy of each id, rated ones only).
/// </summary>
internal static class IngestChecks
{
    /// <summary>"ok" or what does not add up, over the batches <c>[0, done)</c> of <paramref name="pool"/>.</summary>
    public static string Counts(IReadOnlyList<GeneratedBatch> pool, IReadOnlyList<BatchCounts> results, int done)
    {
        for (var i = 0; i < done; i++)
        {
            var (b, r) = (pool[i], results[i]);
            if (!r.AddsUp)
            {
                return $"MISMATCH batch {i}: {r.Accepted} + {r.Duplicates} + {r.Quarantined} != {r.Received}";
            }

            if (r.Received != b.Size || r.Accepted != b.ExpectedAccepted || r.Duplicates != b.ExpectedDuplicates || r.Quarantined != b.ExpectedQuarantined)
            {
                return $"MISMATCH batch {i}: got {r.Received}/{r.Accepted}/{r.Duplicates}/{r.Quarantined}, "
                    + $"planted {b.Size}/{b.ExpectedAccepted}/{b.ExpectedDuplicates}/{b.ExpectedQuarantined} (received/accepted/dup/quarantined)";
            }
        }

        return "ok";
    }

    public static (long Received, long Accepted, long Duplicates, long Quarantined) Sum(IReadOnlyList<BatchCounts> results, int done)
    {
        long received = 0, accepted = 0, duplicates = 0, quarantined = 0;
        for (var i = 0; i < done; i++)
        {
            received += results[i].Received;
            accepted += results[i].Accepted;
            duplicates += results[i].Duplicates;
            quarantined += results[i].Quarantined;
        }

        return (received, accepted, duplicates, quarantined);
    }

    /// <summary>The replay of a batch must accept nothing: every applied CDR comes back a duplicate, every quarantined one quarantined again.</summary>
    public static string Replay(GeneratedBatch batch, BatchCounts replay) =>
        replay.Accepted == 0 && replay.Duplicates == batch.ExpectedAccepted + batch.ExpectedDuplicates && replay.Quarantined == batch.ExpectedQuarantined && replay.AddsUp
            ? string.Create(CultureInfo.InvariantCulture, $"ok: 0 accepted, {replay.Duplicates:N0} dup, {replay.Quarantined} q")
            : $"MISMATCH: {replay.Accepted} accepted, {replay.Duplicates} dup, {replay.Quarantined} q of {replay.Received}";

    /// <summary>What each account must have been charged for the batches <c>[0, done)</c>, by rating the CDRs independently.</summary>
    public static Dictionary<string, decimal> ExpectedCharges(RateDeck deck, IReadOnlyList<GeneratedBatch> pool, int done)
    {
        var charges = new Dictionary<string, decimal>(StringComparer.Ordinal);
        for (var i = 0; i < done; i++)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var record in pool[i].Records)
            {
                if (record.Cdr is not { } cdr || !seen.Add(cdr.CdrId))
                {
                    continue;
                }

                var rating = deck.Rate(cdr.CalledNumber, cdr.StartTime, cdr.DurationSeconds, cdr.Disposition);
                if (rating.IsRated)
                {
                    charges[cdr.AccountId] = charges.GetValueOrDefault(cdr.AccountId) + rating.Charge;
                }
            }
        }

        return charges;
    }

    /// <summary>Every account: balance = opening + top-ups − committed, and committed = the independent rating of its CDRs.</summary>
    public static string Ledger(IEnumerable<AccountState> accounts, IReadOnlyDictionary<string, decimal> expected)
    {
        var n = 0;
        decimal total = 0m;
        foreach (var account in accounts)
        {
            n++;
            total += account.Committed;
            if (account.OpeningBalance + account.TopUps - account.Committed != account.Balance)
            {
                return $"MISMATCH {account.AccountId}: opening + top-ups - committed != balance";
            }

            var want = expected.GetValueOrDefault(account.AccountId);
            if (account.Committed != want)
            {
                return $"MISMATCH {account.AccountId}: committed {account.Committed}, CDRs rate to {want}";
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"ok ({n:N0} accts, {total:N2} GBP)");
    }
}
