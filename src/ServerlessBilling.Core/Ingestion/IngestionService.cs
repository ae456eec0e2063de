using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Diagnostics;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Validation;

namespace ServerlessBilling.Core.Ingestion;

/// <summary>A quarantined CDR as the batch's answer lists it.</summary>
public sealed record QuarantinedItem(string? CdrId, int Line, string Reason);

/// <summary>The counts of a batch: <c>Received = Accepted + Duplicates + Quarantined.Count</c>, always.</summary>
public sealed record IngestResult(int Received, int Accepted, int Duplicates, IReadOnlyList<QuarantinedItem> Quarantined);

/// <summary>
/// CDR ingestion, the one workflow for pre-paid and post-paid: validate, rate, apply once, record usage,
/// quarantine what cannot be applied. Safe to replay: a batch delivered again changes nothing.
/// </summary>
public sealed class IngestionService(
    IAccountStore accounts,
    AccountUpdater updater,
    ISessionIndex sessions,
    IUsageStore usage,
    IQuarantineStore quarantine,
    RateDeckCache decks,
    TimeProvider clock,
    CreditControlOptions options,
    ILogger<IngestionService>? logger = null)
{
    /// <summary>When the last warning about applied ids without usage records was written (ticks; at most one a minute).</summary>
    private long _unrecordedWarnedAt;

    /// <summary>The batches this process is ingesting (see <see cref="DeliveriesInFlight"/>).</summary>
    private readonly DeliveriesInFlight _inFlight = new();

    /// <summary>
    /// Ingests one batch. Store faults propagate (the caller's host retries the batch, which is safe);
    /// everything else ends as accepted, duplicate or quarantined.
    /// </summary>
    public Task<IngestResult> IngestAsync(IReadOnlyList<CdrRecord> records, string source, CancellationToken cancellationToken) =>
        StoreDeadline.RunAsync(ct => IngestWithinDeadlineAsync(records, source, ct), options.BatchDeadline, clock, "CDR batch", cancellationToken);

    private async Task<IngestResult> IngestWithinDeadlineAsync(IReadOnlyList<CdrRecord> records, string source, CancellationToken cancellationToken)
    {
        var quarantined = new ConcurrentBag<(QuarantinedItem Item, QuarantineRecord Record)>();
        var accepted = 0;
        var duplicates = 0;
        var now = clock.GetUtcNow();

        // One pass: rejected lines to the quarantine, the rest grouped by account in order of first appearance. A group is
        // a run of record indexes in one array (counted, then placed), not a list of copies per account.
        var groupOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var groups = new List<AccountGroup>();
        var accountOf = new int[records.Count];
        var firstAccounts = default(FirstAccounts);
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            accountOf[i] = -1;
            if (record.Rejection is { } rejection)
            {
                quarantined.Add(Quarantine(rejection.AccountId, rejection.CdrId, rejection.Line, rejection.Reason, rejection.Raw, source, now));
            }

            if (record.Cdr is { } cdr)
            {
                if (Bounds.CheckNotAhead(cdr.StartTime, now, "start_time") is { } ahead)
                {
                    // Charged now, a call "starting" years ahead would wait for its period's invoice as long.
                    quarantined.Add(Quarantine(cdr.AccountId, cdr.CdrId, record.Line, ahead, record.Raw ?? Describe(cdr), source, now));
                    continue;
                }

                if (firstAccounts.OtherAccount(records, i, accountOf) is { } first)
                {
                    // One id is one call: a copy naming another account is other content, and charging both would charge the call twice.
                    quarantined.Add(Quarantine(cdr.AccountId, cdr.CdrId, record.Line,
                        $"conflict: CDR id '{cdr.CdrId}' appears earlier in this batch (line {first.Line}) for account '{first.Cdr!.AccountId}'; a call is charged to one account, so this copy was not charged",
                        record.Raw ?? Describe(cdr), source, now));
                    continue;
                }

                if (!groupOf.TryGetValue(cdr.AccountId, out var group))
                {
                    groupOf.Add(cdr.AccountId, group = groups.Count);
                    groups.Add(new AccountGroup(cdr.AccountId, 0, 0));
                }

                accountOf[i] = group;
                groups[group] = groups[group] with { Count = groups[group].Count + 1 };
            }
        }

        // Within a batch the first copy of a CDR id is the one applied; the others are duplicates: the order of records is kept in each group.
        var placed = new int[groups.Count];
        for (int g = 0, start = 0; g < groups.Count; start += groups[g].Count, g++)
        {
            groups[g] = groups[g] with { Start = start };
            placed[g] = start;
        }

        var members = new int[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            if (accountOf[i] >= 0)
            {
                members[placed[accountOf[i]]++] = i;
            }
        }

        using var delivery = _inFlight.Start((accountId, cdrId) =>
            groupOf.TryGetValue(accountId, out var g) && new GroupRecords(records, members, groups[g]).Holds(cdrId));

        // Each group's usage write is started, not awaited, when its money has moved: the group's place goes to the next
        // account while the write waits for its commit. A store that takes whole batches (the embedded ones) gets every
        // group's records in one write once all the money has moved instead: one lock, or one SQLite transaction. The
        // batch is answered only when every write is done.
        var writes = new ConcurrentQueue<Task>();
        var wholeBatch = usage.RecordsWholeBatches ? new BatchUsage() : null;
        var foundApplied = new ConcurrentQueue<(string AccountId, List<(Cdr Cdr, int Line, string Raw)> Cdrs)>();

        // The usage records of money that moved are written whatever becomes of the caller (an HTTP client that timed out, a
        // host shutting down): cancelled with the caller, they were never written, and the account stayed charged for calls
        // its usage did not show until the batch happened to be delivered again. They have a deadline of their own.
        using var recording = new CancellationTokenSource(options.BatchDeadline, clock);
        var tally = new ChargeTally();
        ExceptionDispatchInfo? failedGroup = null;
        async ValueTask IngestGroupAsync(AccountGroup group, CancellationToken ct)
        {
            try
            {
                var (a, d, q, toRecord, found) = await IngestAccountAsync(group.AccountId, new GroupRecords(records, members, group), tally, source, delivery, recording.Token, ct);
                Interlocked.Add(ref accepted, a);
                Interlocked.Add(ref duplicates, d);
                if (found is not null)
                {
                    foundApplied.Enqueue((group.AccountId, found));
                }

                if (toRecord is not null && wholeBatch is not null)
                {
                    wholeBatch.Add(toRecord);
                }
                else if (toRecord is not null && usage.TryCreateManyAsync(toRecord, recording.Token) is { IsCompletedSuccessfully: false } write)
                {
                    writes.Enqueue(write);
                }

                if (q is not null)
                {
                    foreach (var item in q)
                    {
                        quarantined.Add(item);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // One account's fault (its partition throttled or away) holds back no other account of the batch: the
                // others are applied, and then the batch fails with the first fault, to be delivered again.
                Interlocked.CompareExchange(ref failedGroup, ExceptionDispatchInfo.Capture(ex), null);
            }
        }

        var inFlight = Math.Min(Math.Max(1, usage.AccountsInParallel), groups.Count);
        try
        {
            if (inFlight <= 1)
            {
                foreach (var group in groups)
                {
                    await IngestGroupAsync(group, cancellationToken);
                }
            }
            else
            {
                await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = inFlight, CancellationToken = cancellationToken }, IngestGroupAsync);
            }

            failedGroup?.Throw();
        }
        catch
        {
            // The batch fails (its redelivery completes it); the money that moved is counted, the records of the groups whose
            // money moved are written all the same (fewer for the replay to repair), and the writes already started are let
            // finish and their faults observed.
            tally.Report();
            if (wholeBatch is not null)
            {
                writes.Enqueue(wholeBatch.WriteAsync(usage, recording.Token));
            }

            await Task.WhenAll(writes).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        tally.Report();
        if (wholeBatch is not null)
        {
            writes.Enqueue(wholeBatch.WriteAsync(usage, recording.Token));
        }

        if (!foundApplied.IsEmpty)
        {
            // Judged against the records that stand once this batch's are written, and those of the other deliveries under way
            // that hold the same ids (the delivery that moved the money is one of them, unless it died before its records).
            await Task.WhenAll(writes).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            delivery.RecordsWritten(writes.All(w => w.IsCompletedSuccessfully));
            foreach (var (accountId, found) in foundApplied)
            {
                var othersWrote = await _inFlight.OthersRecordedAsync(accountId, found.Select(f => f.Cdr.CdrId), delivery, cancellationToken);
                var (d, conflicts) = await JudgeFoundAppliedAsync(accountId, found, othersWrote, source, now, recording.Token, cancellationToken);
                duplicates += d;
                foreach (var conflict in conflicts ?? [])
                {
                    quarantined.Add(conflict);
                }
            }
        }

        var ordered = EachKept(quarantined.OrderBy(q => q.Item.Line).ThenBy(q => q.Record.QuarantineId, StringComparer.Ordinal).ToList());
        if (ordered.Count > 0)
        {
            writes.Enqueue(quarantine.AddManyAsync(ordered.SelectMany(q => InParts(q.Record)).ToList(), cancellationToken));
        }

        await Task.WhenAll(writes);
        delivery.RecordsWritten(true);
        BillingMetrics.CdrsIngested(accepted, duplicates, ordered.Count);
        return new IngestResult(records.Count, accepted, duplicates, ordered.Select(q => q.Item).ToList());
    }

    /// <summary>
    /// One account's share of a batch; the usage records it leaves to write (null when none) are the caller's to write.
    /// Records it writes itself (a long group's earlier steps) are written with <paramref name="recording"/>, not with the
    /// caller's <paramref name="cancellationToken"/>: their money has moved.
    /// </summary>
    private async Task<(int Accepted, int Duplicates, List<(QuarantinedItem, QuarantineRecord)>? Quarantined, List<UsageRecord>? ToRecord, List<(Cdr Cdr, int Line, string Raw)>? FoundApplied)> IngestAccountAsync(
        string accountId, GroupRecords records, ChargeTally tally, string source, DeliveriesInFlight.Delivery delivery, CancellationToken recording, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        List<(QuarantinedItem, QuarantineRecord)>? quarantined = null;
        var fresh = new List<(Cdr Cdr, int Line)>(records.Count);
        var seen = new FirstCopies(fresh);
        var duplicates = 0;

        // Later copies of a CDR in the batch, with what the same call says: each shares its first copy's fate (see below).
        List<(Cdr Cdr, int Line, string Raw)>? copies = null;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var cdr = record.Cdr!;
            if (seen.Find(cdr.CdrId) is not { } first)
            {
                seen.Add(cdr, record.Line);
            }
            else if (IsSameCall(first.Cdr, cdr))
            {
                (copies ??= []).Add((cdr, record.Line, record.Raw ?? Describe(cdr)));
            }
            else
            {
                // The same id with other content is not a retry: one of the two is wrong, and money must not guess.
                (quarantined ??= []).Add(Quarantine(accountId, cdr.CdrId, record.Line,
                    $"conflict: CDR id '{cdr.CdrId}' appears earlier in this batch (line {first.Line}) with different content", record.Raw ?? Describe(cdr), source, now));
            }
        }

        var accepted = 0;
        List<UsageRecord>? toRecord = null;
        List<(Cdr Cdr, int Line, string Raw)>? foundApplied = null; // applied per the document, with no usage record yet
        var (charges, charged) = (0, 0m);
        string? currency = null;
        Dictionary<string, string>? refusedFirsts = null; // the reasons of first copies quarantined, when the batch has copies

        // A group longer than the document's applied set moves its money in steps of at most that many CDRs, and each
        // step's usage records are written before the next step: a step forgets only applied ids whose records exist
        // (see ApplyStepAsync), so the set would otherwise have to hold the whole group.
        for (var from = 0; from < fresh.Count; from += IdsPerStep)
        {
            var step = fresh.Count <= IdsPerStep ? fresh : fresh.GetRange(from, Math.Min(IdsPerStep, fresh.Count - from));
            StepAnswer answer;
            try
            {
                answer = await ApplyStepAsync(accountId, step, cancellationToken);
            }
            catch (StoreRefusedException refused)
            {
                // Refused for good (a document larger than the store holds), not a fault that passes: failing the batch would
                // have it delivered again without end (the Event Hubs trigger retries until it succeeds), holding back every
                // later CDR of its partition. These CDRs moved no money; they are quarantined with the reason instead.
                var reason = RefusedReason(refused);
                answer = new StepAnswer(step.Select(c => new CdrOutcome(c.Cdr, c.Line, null, reason)).ToList(), 0);
            }

            duplicates += answer.Recorded;
            var stepRecords = new List<UsageRecord>(answer.Outcomes.Count);
            List<(Cdr Cdr, int Line)>? unrecorded = null;
            foreach (var outcome in answer.Outcomes)
            {
                if (outcome.Applied is { } record)
                {
                    accepted++;
                    stepRecords.Add(record);
                    if (record.SettledBy == Settlement.Cdr)
                    {
                        (charges, charged, currency) = (charges + 1, charged + record.Charge, record.Currency);
                    }
                }
                else if (outcome.QuarantineReason is { } reason)
                {
                    (quarantined ??= []).Add(Quarantine(accountId, outcome.Cdr.CdrId, outcome.Line, reason, records.RawOf(outcome.Cdr) ?? Describe(outcome.Cdr), source, now));
                    if (copies is not null)
                    {
                        (refusedFirsts ??= new(StringComparer.Ordinal))[outcome.Cdr.CdrId] = reason;
                    }
                }
                else
                {
                    (unrecorded ??= []).Add((outcome.Cdr, outcome.Line));
                    (foundApplied ??= []).Add((outcome.Cdr, outcome.Line, records.RawOf(outcome.Cdr) ?? Describe(outcome.Cdr)));
                }
            }

            // The money has moved (or was found moved); the usage records follow. A crash here is repaired by the replay:
            // the applied set makes the account step a no-op, and a CDR it knows as applied whose usage record is missing
            // (the usage store was asked in the step) gets its record back.
            // Ids another delivery under way holds are left to it: it may be the one that moved their money, its records on the
            // way with what its copies say. Should it not write them, they are written once it is done (JudgeFoundAppliedAsync).
            unrecorded?.RemoveAll(u => _inFlight.HeldElsewhere(accountId, u.Cdr.CdrId, delivery));
            if (unrecorded is { Count: > 0 })
            {
                stepRecords.AddRange(await RecordsOfAppliedAsync(accountId, unrecorded, cancellationToken));
            }

            if (from + step.Count >= fresh.Count)
            {
                toRecord = stepRecords;
            }
            else if (stepRecords.Count > 0)
            {
                await usage.TryCreateManyAsync(stepRecords, recording);
            }
        }

        // A copy of a CDR applied (or found applied) is a duplicate; a copy of one that could not be applied was not applied
        // either: it is quarantined with the same reason and its own line, as identical bad lines are, not counted as a
        // duplicate of something applied.
        foreach (var (cdr, line, raw) in copies ?? [])
        {
            if (refusedFirsts?.GetValueOrDefault(cdr.CdrId) is { } reason)
            {
                (quarantined ??= []).Add(Quarantine(accountId, cdr.CdrId, line, reason, raw, source, now));
            }
            else if (foundApplied?.Exists(f => f.Cdr.CdrId == cdr.CdrId) == true)
            {
                foundApplied.Add((cdr, line, raw));
            }
            else
            {
                duplicates++;
            }
        }

        if (charges > 0)
        {
            // One account, one currency: the group's charges are counted with the batch's others in that currency.
            tally.Add(currency!, charges, charged);
        }

        return (accepted, duplicates, quarantined, toRecord is { Count: > 0 } ? toRecord : null, foundApplied);
    }

    /// <summary>
    /// CDRs found applied by the document whose usage records were missing when their money was looked at, judged once the
    /// batch's records are written: against the record that stands, as a copy in a later batch is. The delivery that moved
    /// their money may still be writing its records (two deliveries at once), and a copy with other content under the same
    /// id is a conflict, not a duplicate: counted as a duplicate it was neither charged nor quarantined.
    /// </summary>
    private async Task<(int Duplicates, List<(QuarantinedItem, QuarantineRecord)>? Conflicts)> JudgeFoundAppliedAsync(
        string accountId, List<(Cdr Cdr, int Line, string Raw)> found, bool othersWrote, string source, DateTimeOffset now, CancellationToken recording, CancellationToken cancellationToken)
    {
        var ids = found.Select(f => f.Cdr.CdrId).ToHashSet(StringComparer.Ordinal);
        var records = await usage.FindExistingAsync(accountId, ids, cancellationToken);
        if (records.Count < ids.Count && !othersWrote)
        {
            // Another delivery under way that holds these ids, perhaps the one that moved their money, failed to write its
            // records (its batch is delivered again). Written from this batch's copies, they could say other than what was
            // charged; this batch fails too, and delivered again it is judged against the records that stand then.
            throw new StoreUnavailableException(
                $"the usage records of {ids.Count - records.Count} CDR(s) of account '{accountId}' charged by a delivery under way at the same time could not be written; deliver the batch again")
            {
                Store = "usage store",
            };
        }

        if (records.Count < ids.Count)
        {
            // Left to another delivery under way that did not write them: no delivery in this process holds their money's
            // records any longer, so they are written now, as the replay after a crash writes them.
            var missing = found.Where(f => !records.ContainsKey(f.Cdr.CdrId)).DistinctBy(f => f.Cdr.CdrId, StringComparer.Ordinal).Select(f => (f.Cdr, f.Line)).ToList();
            var repaired = (await RecordsOfAppliedAsync(accountId, missing, cancellationToken)).ToList();
            if (repaired.Count > 0)
            {
                await usage.TryCreateManyAsync(repaired, recording);
                records = await usage.FindExistingAsync(accountId, ids, cancellationToken);
            }
        }

        var duplicates = 0;
        List<(QuarantinedItem, QuarantineRecord)>? conflicts = null;
        foreach (var (cdr, line, raw) in found)
        {
            if (records.TryGetValue(cdr.CdrId, out var record) && !IsSameCall(record, cdr))
            {
                (conflicts ??= []).Add(Quarantine(accountId, cdr.CdrId, line, ConflictReason(cdr.CdrId), raw, source, now));
            }
            else
            {
                duplicates++;
            }
        }

        return (duplicates, conflicts);
    }

    private static string ConflictReason(string cdrId) =>
        $"conflict: CDR id '{cdrId}' was applied before with different content (called number, start, duration, disposition or session); it was not charged again";

    /// <summary>The most CDRs of one account applied in one write: the document's applied set holds them all.</summary>
    private const int IdsPerStep = AccountState.AppliedCdrCapacity;

    /// <summary>Why a CDR whose account write the store refused for good (<see cref="StoreRefusedException"/>) is quarantined.</summary>
    private static string RefusedReason(StoreRefusedException refused) =>
        $"the {refused.Store ?? "store"} refused the write: {refused.Message}; not charged (delivered again, it is refused alike)";

    /// <summary>What one step did: an outcome per CDR it did not find recorded, and how many it found recorded as they are.</summary>
    private sealed record StepAnswer(IReadOnlyList<CdrOutcome> Outcomes, int Recorded);

    /// <summary>
    /// Applies CDRs of one account in one conditional write. The usage store is asked for the document version the write
    /// starts from, never before it: a CDR applied long ago has left the applied set, and its record says so; a version
    /// that no longer holds an id was written only after that id's record existed (the oldest ids are forgotten only once
    /// their records are found), so a delivery of the same CDRs in flight elsewhere is seen in one place or the other.
    /// </summary>
    private async Task<StepAnswer> ApplyStepAsync(string accountId, List<(Cdr Cdr, int Line)> step, CancellationToken cancellationToken)
    {
        // The sessions a run of the rule recorded as closed by these CDRs (it runs again on a conflict), each with the history
        // record its closing replaced when the document no longer held the session (null when it did).
        Dictionary<string, ClosedSession?>? closings = null;
        StepAnswer? written = null; // the answer of the write last tried, for a refusal of it
        Decision<StepAnswer> decision;
        try
        {
            decision = await updater.UpdateAsync(
                accountId,
                async account =>
                {
                    if (account is null)
                    {
                        return Decision.Unchanged(new StepAnswer(step.Select(c => new CdrOutcome(c.Cdr, c.Line, null, $"account '{accountId}' does not exist")).ToList(), 0));
                    }

                    if (closings is not null)
                    {
                        // An earlier run lost its write: a session it recorded as closed here may have been closed by its terminate
                        // in another process (this run then settles the CDR by that session, or closes it again and records anew),
                        // and one it closed from the history is not closed at all: its record goes back to what it was.
                        await sessions.RecordAsLandedAsync(account, closings, cancellationToken);
                        closings = null;
                    }

                    var (fresh, conflicts, recorded) = await WithoutRecordedAsync(accountId, step, cancellationToken);
                    if (fresh.Count == 0)
                    {
                        return Decision.Unchanged(new StepAnswer(conflicts ?? [], recorded));
                    }

                    // The oldest ids this write may push out of the applied set stay in it while their records are missing.
                    IReadOnlySet<string>? unrecorded = null;
                    if (account.AppliedIdsThatMayGo(fresh.Count) is { Count: > 0 } mayGo
                        && await usage.FindUnrecordedAsync(accountId, mayGo, cancellationToken) is { Count: > 0 } missing)
                    {
                        unrecorded = missing.ToHashSet(StringComparer.Ordinal);
                        WarnIfPiledUp(accountId, missing.Count, account.AppliedCount);
                    }

                    var (history, foreign) = await SessionsNamedAsync(account, fresh, askOwners: true, cancellationToken);
                    var (mine, refused) = WithoutForeignSessions(account, fresh, foreign);
                    var decided = IngestionRules.Apply(
                        account,
                        await decks.GetAsync(account.Settings.RateDeckId, cancellationToken),
                        mine,
                        clock.GetUtcNow(),
                        history,
                        options.ClosedSessionsKept,
                        unrecorded);

                    // Sessions these CDRs closed are recorded before the write that may let the document forget them.
                    var outcomes = decided.Answer!;
                    for (var i = 0; i < outcomes.Count; i++)
                    {
                        if (outcomes[i].Closed is { } closed)
                        {
                            await sessions.RecordClosedAsync(closed, cancellationToken);
                            (closings ??= new(StringComparer.Ordinal))[closed.SessionId] =
                                account.Sessions.ContainsKey(closed.SessionId) ? null : history?.GetValueOrDefault(closed.SessionId);
                        }
                    }

                    if (refused is not null || conflicts is not null)
                    {
                        var all = new List<CdrOutcome>(outcomes.Count + (refused?.Count ?? 0) + (conflicts?.Count ?? 0));
                        all.AddRange(refused ?? []);
                        all.AddRange(conflicts ?? []);
                        all.AddRange(outcomes);
                        outcomes = all;
                    }

                    var answer = new StepAnswer(outcomes, recorded);
                    written = decided.Next is null ? null : answer;
                    return decided.Next is { } next ? Decision.Changed(next, answer) : Decision.Unchanged(answer);
                },
                cancellationToken);
        }
        catch (StoreRefusedException refused) when (written is not null)
        {
            // Refused for good: only the CDRs this write would have charged are refused with it. The others stand as the
            // step found them (charged before and recorded, or charged before with their records still to write, or refused
            // for a reason of their own): quarantined as "not charged", they stood rated and quarantined at once.
            if (closings is not null)
            {
                await RecordAsLandedAfterFailureAsync(accountId, closings);
            }

            var reason = RefusedReason(refused);
            return written with
            {
                Outcomes = [.. written.Outcomes.Select(o => o.Applied is null ? o : new CdrOutcome(o.Cdr, o.Line, null, reason))],
            };
        }
        catch (Exception) when (closings is not null)
        {
            // The write that charges these closings failed (a store fault, the deadline): a redelivery must not find a
            // session closed from the history "closed by this CDR" and take its charge as made.
            await RecordAsLandedAfterFailureAsync(accountId, closings);
            throw;
        }

        return decision.Answer!;
    }

    /// <summary>
    /// <see cref="SessionHistory.RecordAsLandedAsync(ISessionIndex, AccountState, IReadOnlyDictionary{string, ClosedSession?}, CancellationToken)"/> after the step's write failed, on the document as read now, within the store
    /// deadline whatever the step's own token says (a deadline that cut the step short must not leave the records as they
    /// are). Best effort: when the store cannot be read or written either, the step's own fault is what is reported.
    /// </summary>
    private async Task RecordAsLandedAfterFailureAsync(string accountId, Dictionary<string, ClosedSession?> closings)
    {
        try
        {
            using var deadline = new CancellationTokenSource(options.StoreDeadline, clock);
            if (await accounts.GetAsync(accountId, deadline.Token) is { } current)
            {
                await sessions.RecordAsLandedAsync(current.Value, closings, deadline.Token);
            }
        }
        catch (Exception ex) when (ex is StoreUnavailableException or OperationCanceledException)
        {
            // The store is still failing: the records stay as the failed step left them.
        }
    }

    /// <summary>
    /// More applied ids without usage records than two steps in flight explain: a delivery was cut short after its money
    /// moved and was not delivered again, so its records were never written and its ids stay in the account document
    /// (each write looks them up again). Warned at most once a minute.
    /// </summary>
    private void WarnIfPiledUp(string accountId, int unrecorded, int held)
    {
        var now = clock.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _unrecordedWarnedAt);
        if (logger is null || unrecorded <= 2 * IdsPerStep || now - last < TimeSpan.TicksPerMinute
            || Interlocked.CompareExchange(ref _unrecordedWarnedAt, now, last) != last)
        {
            return;
        }

        IngestionLog.AppliedIdsUnrecorded(logger, accountId, unrecorded, held, AccountState.AppliedCdrCeiling);
    }

    /// <summary>
    /// The CDRs of <paramref name="step"/> that have no usage record; those that have one are counted (the same call) or
    /// answered as conflicts (other content under the same id, not charged again).
    /// </summary>
    private async ValueTask<(List<(Cdr Cdr, int Line)> Fresh, List<CdrOutcome>? Conflicts, int Recorded)> WithoutRecordedAsync(
        string accountId, List<(Cdr Cdr, int Line)> step, CancellationToken cancellationToken)
    {
        var ids = new string[step.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = step[i].Cdr.CdrId;
        }

        var existing = await usage.FindExistingAsync(accountId, ids, cancellationToken);
        if (existing.Count == 0)
        {
            return (step, null, 0);
        }

        var fresh = new List<(Cdr Cdr, int Line)>(step.Count);
        List<CdrOutcome>? conflicts = null;
        var recorded = 0;
        foreach (var (cdr, line) in step)
        {
            if (!existing.TryGetValue(cdr.CdrId, out var applied))
            {
                fresh.Add((cdr, line));
            }
            else if (IsSameCall(applied, cdr))
            {
                recorded++;
            }
            else
            {
                (conflicts ??= []).Add(new CdrOutcome(cdr, line, null, ConflictReason(cdr.CdrId)));
            }
        }

        return (fresh, conflicts, recorded);
    }

    /// <summary>
    /// The usage records of CDRs whose money moved but whose records were never written (the process died in between):
    /// the same rules rate them against the document as it would be without them, and that document is thrown away.
    /// </summary>
    private async Task<IEnumerable<UsageRecord>> RecordsOfAppliedAsync(string accountId, List<(Cdr Cdr, int Line)> cdrs, CancellationToken cancellationToken)
    {
        if (await accounts.GetAsync(accountId, cancellationToken) is not { Value: var account })
        {
            return [];
        }

        var ids = cdrs.Select(c => c.Cdr.CdrId).ToHashSet(StringComparer.Ordinal);
        var remaining = account.AppliedCdrs.Where(id => !ids.Contains(id)).ToList();
        var without = account with { AppliedCdrs = [.. remaining] };
        var rated = IngestionRules.Apply(
            without, await decks.GetAsync(account.Settings.RateDeckId, cancellationToken), cdrs, clock.GetUtcNow(),
            (await SessionsNamedAsync(account, cdrs, askOwners: false, cancellationToken)).History, options.ClosedSessionsKept);
        return rated.Answer!.Select(o => o.Applied).OfType<UsageRecord>()
            .Select(r => r with { Note = r.Note is null ? "recorded on replay after an interrupted ingestion" : r.Note + "; recorded on replay after an interrupted ingestion" });
    }

    /// <summary>
    /// The sessions that CDRs name but the account document no longer holds: the history of those that closed on this
    /// account (null when none did) and, with <paramref name="askOwners"/>, the owners of those another account holds
    /// (null when none does).
    /// </summary>
    private async ValueTask<(IReadOnlyDictionary<string, ClosedSession>? History, Dictionary<string, string>? Foreign)> SessionsNamedAsync(
        AccountState account, List<(Cdr Cdr, int Line)> cdrs, bool askOwners, CancellationToken cancellationToken)
    {
        Dictionary<string, ClosedSession>? history = null;
        Dictionary<string, string>? foreign = null;
        HashSet<string>? asked = null;
        foreach (var (cdr, _) in cdrs)
        {
            if (cdr.SessionId is not { } sessionId || account.Sessions.ContainsKey(sessionId) || !(asked ??= new(StringComparer.Ordinal)).Add(sessionId))
            {
                continue;
            }

            var closed = await sessions.FindClosedAsync(sessionId, cancellationToken);
            if (closed is not null && closed.AccountId == account.AccountId)
            {
                (history ??= new(StringComparer.Ordinal))[sessionId] = closed;
            }
            else if (askOwners && (closed?.AccountId ?? await sessions.FindAccountAsync(sessionId, cancellationToken)) is { } owner && owner != account.AccountId
                && !await sessions.ReleaseIfOwnerAbsentAsync(accounts, sessionId, owner, cancellationToken))
            {
                // Held by an account that exists; a claim in the name of one that does not holds nothing, and is let go.
                (foreign ??= new(StringComparer.Ordinal))[sessionId] = owner;
            }
        }

        return (history, foreign);
    }

    /// <summary>
    /// Sets aside the CDRs that name a session another account holds: a session id is one call, and that call is
    /// another account's (its authorize claimed the id), so charging it here would charge it twice. A CDR this account
    /// already applied stays, to be counted as the duplicate it is.
    /// </summary>
    private static (List<(Cdr Cdr, int Line)> Mine, List<CdrOutcome>? Refused) WithoutForeignSessions(
        AccountState account, List<(Cdr Cdr, int Line)> cdrs, Dictionary<string, string>? foreign)
    {
        if (foreign is null)
        {
            return (cdrs, null);
        }

        var mine = new List<(Cdr Cdr, int Line)>(cdrs.Count);
        var refused = new List<CdrOutcome>();
        foreach (var (cdr, line) in cdrs)
        {
            if (cdr.SessionId is { } sessionId && foreign.ContainsKey(sessionId) && !account.AppliedWindow.Contains(cdr.CdrId))
            {
                refused.Add(new CdrOutcome(cdr, line, null,
                    $"conflict: session '{sessionId}' belongs to another account (its authorize claimed it); a call is charged to one account, so this CDR of account '{account.AccountId}' was not charged"));
            }
            else
            {
                mine.Add((cdr, line));
            }
        }

        return (mine, refused);
    }

    /// <summary>
    /// Whether a later copy of a CDR in the same batch says the same about the call as the first (what moves money), as a
    /// copy in a later batch is judged against the usage record: the calling number, recorded only, may differ.
    /// </summary>
    private static bool IsSameCall(Cdr first, Cdr cdr) =>
        first.CalledNumber == cdr.CalledNumber
        && first.StartTime == cdr.StartTime
        && first.DurationSeconds == cdr.DurationSeconds
        && first.Disposition == cdr.Disposition
        && first.SessionId == cdr.SessionId;

    /// <summary>Whether a CDR says the same about the call as the usage record its id produced (what moves money).</summary>
    private static bool IsSameCall(UsageRecord applied, Cdr cdr) =>
        applied.CalledNumber == cdr.CalledNumber
        && applied.StartTime == cdr.StartTime
        && applied.DurationSeconds == cdr.DurationSeconds
        && applied.Disposition == cdr.Disposition.ToWire()
        && applied.SessionId == cdr.SessionId;

    private static (QuarantinedItem, QuarantineRecord) Quarantine(string? accountId, string? cdrId, int line, string reason, string raw, string source, DateTimeOffset now)
    {
        // Deterministic id: the same bad record delivered again is quarantined once.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{accountId}\n{cdrId}\n{reason}\n{raw}"));
        var id = "q-" + Convert.ToHexStringLower(hash.AsSpan(0, 16));
        return (new QuarantinedItem(cdrId, line, reason), new QuarantineRecord(id, accountId, cdrId, line, reason, raw, source, now));
    }

    /// <summary>
    /// Identical bad lines of one batch (same account, id, reason and text: the id leaves the line out, so that the same
    /// record delivered again is quarantined once) are each kept, as the answer counts each: the second and later copies
    /// get ids of their own, numbered in line order, which a redelivery of the batch numbers alike.
    /// </summary>
    private static List<(QuarantinedItem Item, QuarantineRecord Record)> EachKept(List<(QuarantinedItem Item, QuarantineRecord Record)> ordered)
    {
        if (ordered.Count < 2)
        {
            return ordered;
        }

        var copies = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < ordered.Count; i++)
        {
            var (item, record) = ordered[i];
            var copy = copies.GetValueOrDefault(record.QuarantineId);
            copies[record.QuarantineId] = copy + 1;
            if (copy > 0)
            {
                ordered[i] = (item, record with { QuarantineId = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{record.QuarantineId}-{copy}") });
            }
        }

        return ordered;
    }

    /// <summary>
    /// The record as the quarantine keeps it: one whose text is longer than <see cref="CdrValidation.MaxRawLength"/> (an
    /// envelope object wrapping a batch, a CSV event whose line breaks were lost) as records of its parts, each reason
    /// saying which part it is, the first under the record's id, the others after it with their number padded, so that
    /// the listing's ties by id keep them in order; it counts once in the answer. Cut to its first part, the rest of its
    /// text was kept nowhere: an Event Hubs event is read once, so the CDRs in it beyond were lost.
    /// </summary>
    private static IEnumerable<QuarantineRecord> InParts(QuarantineRecord record)
    {
        var pieces = CdrValidation.Pieces(record.Raw);
        var digits = "D" + pieces.Count.ToString(System.Globalization.CultureInfo.InvariantCulture).Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return pieces.Count == 1
            ? [record]
            : pieces.Select((piece, k) => record with
            {
                QuarantineId = k == 0 ? record.QuarantineId : $"{record.QuarantineId}-part{(k + 1).ToString(digits, System.Globalization.CultureInfo.InvariantCulture)}",
                Reason = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{record.Reason} (part {k + 1} of {pieces.Count})"),
                Raw = piece,
            });
    }

    private static string Describe(Cdr cdr) =>
        string.Join(',', cdr.CdrId, cdr.AccountId, cdr.CallingNumber, cdr.CalledNumber, cdr.StartTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            cdr.DurationSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), cdr.Disposition.ToWire(), cdr.SessionId ?? "");

    /// <summary>
    /// The first record of each CDR id of a batch that is applied, to tell a copy that names another account: a batch of
    /// one account (most of them) indexes nothing; at its second account the records taken before are indexed, and every
    /// one after.
    /// </summary>
    private struct FirstAccounts
    {
        private string? _only;
        private Dictionary<string, int>? _first;

        /// <summary>
        /// The earlier record of the batch with the id of record <paramref name="at"/> (which has a CDR) when it names
        /// another account, else null (and the record is taken); <paramref name="taken"/> says which records before it were.
        /// </summary>
        public CdrRecord? OtherAccount(IReadOnlyList<CdrRecord> records, int at, int[] taken)
        {
            var cdr = records[at].Cdr!;
            if (_first is null)
            {
                if ((_only ??= cdr.AccountId) == cdr.AccountId)
                {
                    return null;
                }

                _first = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < at; i++)
                {
                    if (taken[i] >= 0)
                    {
                        _first.TryAdd(records[i].Cdr!.CdrId, i);
                    }
                }
            }

            if (_first.TryGetValue(cdr.CdrId, out var earlier))
            {
                return records[earlier].Cdr!.AccountId == cdr.AccountId ? null : records[earlier];
            }

            _first.Add(cdr.CdrId, at);
            return null;
        }
    }

    /// <summary>An account's group of a batch: <see cref="Count"/> record indexes from <see cref="Start"/> in the batch's member array.</summary>
    private readonly record struct AccountGroup(string AccountId, int Start, int Count);

    /// <summary>The records of one account group, in batch order, read through the batch's member array (no copies).</summary>
    private readonly struct GroupRecords(IReadOnlyList<CdrRecord> records, int[] members, AccountGroup group)
    {
        public int Count => group.Count;

        public CdrRecord this[int index] => records[members[group.Start + index]];

        /// <summary>Whether the group holds a CDR of that id (a rare path, for another delivery: scanned).</summary>
        public bool Holds(string cdrId)
        {
            for (var i = 0; i < Count; i++)
            {
                if (this[i].Cdr is { } cdr && string.Equals(cdr.CdrId, cdrId, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The text of the group's record of <paramref name="cdr"/> (the very object read), for a quarantine record (a rare
        /// path: scanned). Not by line: the events of an Event Hubs batch are read one by one, so their lines repeat.
        /// </summary>
        public string? RawOf(Cdr cdr)
        {
            for (var i = 0; i < Count; i++)
            {
                if (ReferenceEquals(this[i].Cdr, cdr))
                {
                    return this[i].Raw;
                }
            }

            return null;
        }
    }

    /// <summary>
    /// The first copy of each CDR id of a group, kept in <c>fresh</c>: a small group is scanned, a large one indexed once
    /// it grows past <see cref="ScanLimit"/> (most groups hold a few CDRs, and a dictionary per group cost more than the scan).
    /// </summary>
    private struct FirstCopies(List<(Cdr Cdr, int Line)> fresh)
    {
        private const int ScanLimit = 16;
        private Dictionary<string, int>? _index;

        public readonly (Cdr Cdr, int Line)? Find(string cdrId)
        {
            if (_index is not null)
            {
                return _index.TryGetValue(cdrId, out var at) ? fresh[at] : null;
            }

            foreach (var entry in fresh)
            {
                if (string.Equals(entry.Cdr.CdrId, cdrId, StringComparison.Ordinal))
                {
                    return entry;
                }
            }

            return null;
        }

        public void Add(Cdr cdr, int line)
        {
            fresh.Add((cdr, line));
            if (_index is not null)
            {
                _index.Add(cdr.CdrId, fresh.Count - 1);
            }
            else if (fresh.Count > ScanLimit)
            {
                _index = new Dictionary<string, int>(fresh.Count * 2, StringComparer.Ordinal);
                for (var i = 0; i < fresh.Count; i++)
                {
                    _index.Add(fresh[i].Cdr.CdrId, i);
                }
            }
        }
    }
}
