using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.LoadBench.Proposals;

/// <summary>
/// A prototype of the proposed changes to <see cref="IngestionService"/> and <see cref="IngestionRules"/>, for
/// measurement only (<c>ingest --prototype</c>); production code does not use it. Same contract and results
/// (the ingest checks run on it too); what differs:
/// <list type="number">
/// <item>The applied-id check no longer builds a set of the document's 1,000 applied ids for every account group
/// (<c>account.AppliedCdrs.ToHashSet()</c>): a ring of 64-bit hashes of those ids (<see cref="AppliedRing"/>, 8 KB in
/// chunks of 800 bytes, copy-on-write per chunk) answers "maybe applied" with vectorized searches per CDR, and only a
/// hit is confirmed on the ids.
/// In Core the ring would live on <see cref="AccountState"/> (not serialized, rebuilt once after a read).</item>
/// <item>Charges are added up per (period, destination) within a group and committed once each, not one
/// <see cref="AccountState.Commit"/> (a new document, totals and by-destination tree) per CDR; the applied ids join
/// the document's queue with one new document, not one <see cref="AccountState.RememberApplied"/> (a new document) per id.</item>
/// <item>Grouping is one pass into a dictionary (no Where/GroupBy/ToList/ToList), and the usage records of a group are
/// written by one call (here a loop: what an in-memory <c>IUsageStore.TryCreateManyAsync</c> would do) instead of a
/// <c>Parallel.ForEachAsync</c> per group.</item>
/// </list>
/// Groups with a session id anywhere take Core's <see cref="IngestionRules.Apply"/> unchanged (sessions are not the
/// subject of this prototype).
/// </summary>
internal sealed class ProposedIngestion(
    IAccountStore accounts,
    ISessionIndex sessions,
    IUsageStore usage,
    IQuarantineStore quarantine,
    RateDeckCache decks,
    TimeProvider clock,
    CreditControlOptions options)
{
    private const int AccountsInParallel = 4;
    private readonly AccountUpdater _updater = new(accounts, options);

    public async Task<IngestResult> IngestAsync(IReadOnlyList<CdrRecord> records, string source, CancellationToken cancellationToken)
    {
        var quarantined = new ConcurrentBag<(QuarantinedItem Item, QuarantineRecord Record)>();
        var accepted = 0;
        var duplicates = 0;
        var now = clock.GetUtcNow();
        var groups = new Dictionary<string, List<CdrRecord>>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (record.Rejection is { } rejection)
            {
                quarantined.Add(Quarantine(rejection.AccountId, rejection.CdrId, rejection.Line, rejection.Reason, rejection.Raw, source, now));
            }
            else if (record.Cdr is { } cdr)
            {
                (CollectionsMarshal.GetValueRefOrAddDefault(groups, cdr.AccountId, out _) ??= []).Add(record);
            }
        }

        await Parallel.ForEachAsync(
            groups,
            new ParallelOptions { MaxDegreeOfParallelism = AccountsInParallel, CancellationToken = cancellationToken },
            async (group, ct) =>
            {
                var (a, d) = await IngestAccountAsync(group.Key, group.Value, source, quarantined, ct);
                Interlocked.Add(ref accepted, a);
                Interlocked.Add(ref duplicates, d);
            });

        var ordered = quarantined.OrderBy(q => q.Item.Line).ToList();
        foreach (var (_, record) in ordered)
        {
            await quarantine.AddAsync(record, cancellationToken);
        }

        return new IngestResult(records.Count, accepted, duplicates, ordered.ConvertAll(q => q.Item));
    }

    private async Task<(int Accepted, int Duplicates)> IngestAccountAsync(
        string accountId, List<CdrRecord> records, string source, ConcurrentBag<(QuarantinedItem, QuarantineRecord)> quarantined, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var seen = new HashSet<string>(records.Count, StringComparer.Ordinal);
        var fresh = new List<(Cdr Cdr, int Line)>(records.Count);
        var raw = new List<string?>(records.Count);
        var ids = new List<string>(records.Count);
        var duplicates = 0;
        var withSession = false;
        foreach (var record in records)
        {
            if (seen.Add(record.Cdr!.CdrId))
            {
                fresh.Add((record.Cdr, record.Line));
                raw.Add(record.Raw);
                ids.Add(record.Cdr.CdrId);
                withSession |= record.Cdr.SessionId is not null;
            }
            else
            {
                duplicates++;
            }
        }

        var existing = await usage.FindExistingAsync(accountId, ids, cancellationToken);
        if (existing.Count > 0)
        {
            for (var i = fresh.Count - 1; i >= 0; i--)
            {
                if (existing.ContainsKey(fresh[i].Cdr.CdrId))
                {
                    fresh.RemoveAt(i);
                    raw.RemoveAt(i);
                    duplicates++;
                }
            }
        }

        if (fresh.Count == 0)
        {
            return (0, duplicates);
        }

        var decision = await _updater.UpdateAsync(
            accountId,
            async account =>
            {
                if (account is null)
                {
                    return Decision.Unchanged<IReadOnlyList<CdrOutcome>>(fresh.ConvertAll(c => new CdrOutcome(c.Cdr, c.Line, null, $"account '{accountId}' does not exist")));
                }

                var deck = await decks.GetAsync(account.Settings.RateDeckId, cancellationToken);
                return withSession
                    ? IngestionRules.Apply(account, deck, fresh, clock.GetUtcNow(), await HistoryOfAsync(account, fresh, cancellationToken), options.ClosedSessionsKept)
                    : Apply(account, deck, fresh, clock.GetUtcNow());
            },
            cancellationToken);

        var accepted = 0;
        var outcomes = decision.Answer!;
        var toRecord = new List<UsageRecord>(outcomes.Count);
        for (var i = 0; i < outcomes.Count; i++)
        {
            var outcome = outcomes[i];
            if (outcome.Applied is { } record)
            {
                accepted++;
                toRecord.Add(record);
            }
            else if (outcome.QuarantineReason is { } reason)
            {
                quarantined.Add(Quarantine(accountId, outcome.Cdr.CdrId, outcome.Line, reason, raw[i] ?? Describe(outcome.Cdr), source, now));
            }
            else
            {
                duplicates++;
            }

            if (outcome.Closed is { } closed)
            {
                await sessions.RecordClosedAsync(closed, cancellationToken);
            }
        }

        // One call per group: what IUsageStore.TryCreateManyAsync would be (in memory a loop; on Cosmos bounded concurrency).
        foreach (var record in toRecord)
        {
            await usage.TryCreateAsync(record, cancellationToken);
        }

        return (accepted, duplicates);
    }

    /// <summary>IngestionRules.Apply for CDRs without a session: the same outcomes and the same document, in fewer steps.</summary>
    private static Decision<IReadOnlyList<CdrOutcome>> Apply(AccountState account, RateDeck? deck, List<(Cdr Cdr, int Line)> cdrs, DateTimeOffset now)
    {
        var outcomes = new List<CdrOutcome>(cdrs.Count);
        if (deck is null)
        {
            foreach (var (cdr, line) in cdrs)
            {
                outcomes.Add(new CdrOutcome(cdr, line, null, $"rate deck '{account.Settings.RateDeckId}' of account '{account.AccountId}' does not exist"));
            }

            return Decision.Unchanged<IReadOnlyList<CdrOutcome>>(outcomes);
        }

        var ring = AppliedRing.Of(account);
        var inGroup = new HashSet<string>(cdrs.Count, StringComparer.Ordinal);
        var appliedIds = new List<string>(cdrs.Count);
        var charges = new Dictionary<(string Period, string Destination), ChargeLine>();
        foreach (var (cdr, line) in cdrs)
        {
            if (!inGroup.Add(cdr.CdrId) || (ring.MayContain(cdr.CdrId) && account.HasApplied(cdr.CdrId)))
            {
                outcomes.Add(new CdrOutcome(cdr, line, null, null));
                continue;
            }

            var rating = deck.Rate(cdr.CalledNumber, cdr.StartTime, cdr.DurationSeconds, cdr.Disposition);
            if (!rating.IsRated)
            {
                inGroup.Remove(cdr.CdrId);
                outcomes.Add(new CdrOutcome(cdr, line, null, rating.Reason));
                continue;
            }

            var row = rating.Row!;
            var period = account.PeriodOf(cdr.StartTime).Label;
            var calls = rating.BilledSeconds > 0 ? 1 : 0;
            ref var charge = ref CollectionsMarshal.GetValueRefOrAddDefault(charges, (period, row.Destination), out var exists);
            charge = exists
                ? charge with { Amount = charge.Amount + rating.Charge, BilledSeconds = charge.BilledSeconds + rating.BilledSeconds, Calls = charge.Calls + calls }
                : new ChargeLine(rating.Charge, rating.BilledSeconds, calls, row.Destination, cdr.StartTime);
            appliedIds.Add(cdr.CdrId);
            var note = cdr.SessionId is null ? null : $"session '{cdr.SessionId}' is not known here (never authorized, or closed more than the retention ago): charged from the CDR";
            outcomes.Add(new CdrOutcome(cdr, line, new UsageRecord(
                cdr.CdrId, account.AccountId, cdr.SessionId, cdr.CalledNumber, cdr.StartTime, cdr.DurationSeconds, cdr.Disposition.ToWire(), row.Prefix, row.Destination,
                rating.BilledSeconds, rating.Charge, account.Settings.Currency.Code, period, Settlement.Cdr, note, now), null));
        }

        if (appliedIds.Count == 0)
        {
            return Decision.Unchanged<IReadOnlyList<CdrOutcome>>(outcomes);
        }

        var next = account;
        foreach (var charge in charges.Values)
        {
            next = next.Commit(charge, now);
        }

        // RememberApplied for all of them with one new document instead of one per id.
        var queue = next.AppliedCdrs;
        var count = next.AppliedCount;
        foreach (var id in appliedIds)
        {
            queue = queue.Enqueue(id);
            if (++count > AccountState.AppliedCdrCapacity)
            {
                queue = queue.Dequeue();
                count--;
            }
        }

        next = next with { AppliedCdrs = queue, AppliedCount = count };

        AppliedRing.Remember(next, ring.With(appliedIds));
        return Decision.Changed<IReadOnlyList<CdrOutcome>>(next, outcomes);
    }

    private async Task<IReadOnlyDictionary<string, ClosedSession>> HistoryOfAsync(AccountState account, List<(Cdr Cdr, int Line)> cdrs, CancellationToken cancellationToken)
    {
        var history = new Dictionary<string, ClosedSession>(StringComparer.Ordinal);
        foreach (var (cdr, _) in cdrs)
        {
            if (cdr.SessionId is { } sessionId && !account.Sessions.ContainsKey(sessionId) && !history.ContainsKey(sessionId)
                && await sessions.FindClosedAsync(sessionId, cancellationToken) is { } closed && closed.AccountId == account.AccountId)
            {
                history[sessionId] = closed;
            }
        }

        return history;
    }

    private static (QuarantinedItem, QuarantineRecord) Quarantine(string? accountId, string? cdrId, int line, string reason, string raw, string source, DateTimeOffset now)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{accountId}\n{cdrId}\n{reason}\n{raw}"));
        var id = "q-" + Convert.ToHexStringLower(hash.AsSpan(0, 16));
        return (new QuarantinedItem(cdrId, line, reason), new QuarantineRecord(id, accountId, cdrId, line, reason, raw, source, now));
    }

    private static string Describe(Cdr cdr) =>
        string.Join(',', cdr.CdrId, cdr.AccountId, cdr.CallingNumber, cdr.CalledNumber, cdr.StartTime.ToString("O", CultureInfo.InvariantCulture),
            cdr.DurationSeconds.ToString(CultureInfo.InvariantCulture), cdr.Disposition.ToWire(), cdr.SessionId ?? "");
}

/// <summary>
/// 64-bit hashes of a document's applied CDR ids, in the order of <see cref="AccountState.AppliedCdrs"/> (oldest
/// first), as a ring of <see cref="AccountState.AppliedCdrCapacity"/> slots: a new id overwrites the oldest exactly
/// when the queue drops it. Immutable, in chunks of 100 slots: <see cref="With"/> copies the chunk index and only
/// the chunks it writes (~1 KB for a group of 5 instead of 8 KB). "Maybe applied" is a vectorized <c>IndexOf</c> per
/// chunk; a hit is confirmed on the ids. Kept next to each document instance (not serialized).
/// </summary>
internal sealed class AppliedRing
{
    private const int ChunkSize = 100;
    private static readonly ConditionalWeakTable<AccountState, AppliedRing> Rings = [];
    private readonly long[][] _chunks;
    private readonly int _count;
    private readonly int _head;

    private AppliedRing(long[][] chunks, int count, int head)
    {
        _chunks = chunks;
        _count = count;
        _head = head;
    }

    private static int Capacity => AccountState.AppliedCdrCapacity;

    public static AppliedRing Of(AccountState account)
    {
        if (Rings.TryGetValue(account, out var ring))
        {
            return ring;
        }

        var chunks = new long[(Capacity + ChunkSize - 1) / ChunkSize][];
        for (var i = 0; i < chunks.Length; i++)
        {
            chunks[i] = new long[ChunkSize];
        }

        var count = 0;
        foreach (var id in account.AppliedCdrs)
        {
            var slot = count % Capacity;
            chunks[slot / ChunkSize][slot % ChunkSize] = Hash(id);
            count++;
        }

        ring = new AppliedRing(chunks, Math.Min(count, Capacity), count % Capacity);
        Rings.AddOrUpdate(account, ring);
        return ring;
    }

    public static void Remember(AccountState account, AppliedRing ring) => Rings.AddOrUpdate(account, ring);

    public bool MayContain(string cdrId)
    {
        var hash = Hash(cdrId);
        for (int c = 0, left = _count; left > 0; c++, left -= ChunkSize)
        {
            if (Array.IndexOf(_chunks[c], hash, 0, Math.Min(left, ChunkSize)) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    public AppliedRing With(List<string> ids)
    {
        var chunks = (long[][])_chunks.Clone();
        var copied = new bool[chunks.Length];
        var (count, head) = (_count, _head);
        foreach (var id in ids)
        {
            var c = head / ChunkSize;
            if (!copied[c])
            {
                chunks[c] = (long[])chunks[c].Clone();
                copied[c] = true;
            }

            chunks[c][head % ChunkSize] = Hash(id);
            head = (head + 1) % Capacity;
            count = Math.Min(count + 1, Capacity);
        }

        return new AppliedRing(chunks, count, head);
    }

    /// <summary>FNV-1a over the UTF-16 code units: stable across processes, unlike string.GetHashCode.</summary>
    private static long Hash(string text)
    {
        unchecked
        {
            var hash = (long)14695981039346656037UL;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 1099511628211L;
            }

            return hash;
        }
    }
}
