using System.Text.Json;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// A process that dies after the money moved but before the usage records were written: the replay changes no money
/// and writes the missing records, so the usage listing is complete again (ARCHITECTURE invariant 5, nothing lost).
/// </summary>
public sealed class InterruptedIngestionTests
{
    [Fact]
    public async Task A_replay_after_the_usage_writes_failed_records_every_usage_and_moves_no_money()
    {
        var usage = new FailingUsageStore(new InMemoryUsageStore());
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), usage: usage);
        var account = await h.OpenAsync("crash", Fixtures.Postpaid(1000m, hard: false), 0m);
        var csv = $"""
            cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id
            k1,{account},+441234,+447700900123,{Fixtures.Now:O},61,ANSWERED,
            k2,{account},+441234,+33612345678,{Fixtures.Now:O},342,ANSWERED,
            k3,{account},+441234,+442071234567,{Fixtures.Now:O},0,NO_ANSWER,
            """;

        usage.Fail = true;
        await Assert.ThrowsAsync<StoreUnavailableException>(() => h.IngestCsvAsync(csv));
        var charged = (await h.StateAsync(account)).Committed;
        Assert.True(charged > 0m); // the money moved before the records failed
        Assert.Empty(await usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 100, default));

        usage.Fail = false;
        var replay = await h.IngestCsvAsync(csv);

        Assert.Equal((3, 0, 3), (replay.Received, replay.Accepted, replay.Duplicates));
        Assert.Equal(charged, (await h.StateAsync(account)).Committed);
        var records = await usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 100, default);
        Assert.Equal(["k1", "k2", "k3"], records.Select(r => r.CdrId).Order());
        Assert.Equal(charged, records.Sum(r => r.Charge));
        Assert.All(records, r => Assert.Contains("recorded on replay", r.Note, StringComparison.Ordinal));

        // A third delivery finds every record and does nothing more.
        Assert.Equal((0, 3), ((await h.IngestCsvAsync(csv)).Accepted, (await h.IngestCsvAsync(csv)).Duplicates));
        Assert.Equal(3, (await usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 100, default)).Count);
    }

    [Fact]
    public async Task A_replay_after_a_usage_batch_written_in_part_records_the_rest_once()
    {
        var usage = new FailingUsageStore(new InMemoryUsageStore()) { CreatedBeforeFailing = 2 };
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), usage: usage);
        var account = await h.OpenAsync("torn", Fixtures.Postpaid(1000m, hard: false), 0m);
        var csv = Fixtures.CdrHeader + "\n" + string.Join("\n", Enumerable.Range(1, 5).Select(i =>
            $"t{i},{account},+441234,+447700900123,{Fixtures.Now.AddMinutes(i):O},{60 * i},ANSWERED,"));

        usage.Fail = true;
        await Assert.ThrowsAsync<StoreUnavailableException>(() => h.IngestCsvAsync(csv));
        var charged = (await h.StateAsync(account)).Committed;
        Assert.Equal(2, (await usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 100, default)).Count);

        usage.Fail = false;
        var replay = await h.IngestCsvAsync(csv);

        Assert.Equal((5, 0, 5), (replay.Received, replay.Accepted, replay.Duplicates));
        Assert.Equal(charged, (await h.StateAsync(account)).Committed);
        var records = await usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 100, default);
        Assert.Equal(["t1", "t2", "t3", "t4", "t5"], records.Select(r => r.CdrId));
        Assert.Equal(charged, records.Sum(r => r.Charge));
        Assert.Equal(3, records.Count(r => r.Note?.Contains("recorded on replay", StringComparison.Ordinal) == true));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task A_usage_write_failing_for_one_account_while_others_are_in_flight_fails_the_batch_and_the_replay_completes_it(int inParallel)
    {
        // The usage writes are started as each account's money moves and awaited at the end of the batch (they complete
        // later, as a group commit's do): the failure of one still fails the batch, and the others are let finish.
        var usage = new FailingUsageStore(new InMemoryUsageStore()) { InParallel = inParallel, Later = true };
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), usage: usage);
        var accounts = new List<string>();
        for (var a = 0; a < 12; a++)
        {
            accounts.Add(await h.OpenAsync($"many-{a}", Fixtures.Postpaid(1000m, hard: false), 0m));
        }

        var lines = Enumerable.Range(1, 3).SelectMany(i => accounts.Select(account =>
            $"{account}-c{i},{account},+441234,+447700900123,{Fixtures.Now.AddMinutes(i):O},{60 * i},ANSWERED,")).ToList();
        lines.Insert(7, $"bad-1,{accounts[0]},+441234,+447700900123,{Fixtures.Now:O},not-a-number,ANSWERED,");
        var csv = Fixtures.CdrHeader + "\n" + string.Join("\n", lines);

        usage.FailFor = accounts[5];
        await Assert.ThrowsAsync<StoreUnavailableException>(() => h.IngestCsvAsync(csv));
        var charged = new Dictionary<string, decimal>();
        foreach (var account in accounts)
        {
            charged[account] = (await h.StateAsync(account)).Committed;
            Assert.True(charged[account] > 0m);
            var written = await usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 100, default);
            Assert.Equal(account == accounts[5] ? 0 : 3, written.Count);
        }

        usage.FailFor = null;
        var replay = await h.IngestCsvAsync(csv);

        Assert.Equal((37, 0, 36, 1), (replay.Received, replay.Accepted, replay.Duplicates, replay.Quarantined.Count));
        foreach (var account in accounts)
        {
            Assert.Equal(charged[account], (await h.StateAsync(account)).Committed);
            var records = await usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 100, default);
            Assert.Equal([$"{account}-c1", $"{account}-c2", $"{account}-c3"], records.Select(r => r.CdrId));
            Assert.Equal(charged[account], records.Sum(r => r.Charge));
            Assert.Equal(account == accounts[5] ? 3 : 0, records.Count(r => r.Note?.Contains("recorded on replay", StringComparison.Ordinal) == true));
        }

        Assert.Single(await h.Quarantine.ListAsync(accounts[0], 10, default));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_cdr_that_closed_its_session_and_lost_its_record_is_recorded_again_as_settled_by_the_cdr(bool sessionLeftTheDocument)
    {
        // The CDR came before the terminate, charged the whole call and closed the session; then the usage store failed.
        // The redelivery found the session closed, with no mark of what closed it, and recorded the CDR as settled by the
        // session: the money and period were right, the label (and the note) were not.
        var usage = new FailingUsageStore(new InMemoryUsageStore());
        var options = new Core.CreditControl.CreditControlOptions { ClosedSessionsKept = 1 };
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), options: options, usage: usage);
        var account = await h.OpenAsync("closed-by-cdr", Fixtures.Prepaid(), 20m);
        await h.AuthorizeAsync(account, "call-1", "+447700900123", 300);
        var csv = $"{Fixtures.CdrHeader}\nclosing-1,{account},+441234,+447700900123,{Fixtures.Now:O},61,ANSWERED,call-1\n";

        usage.Fail = true;
        await Assert.ThrowsAsync<StoreUnavailableException>(() => h.IngestCsvAsync(csv));
        usage.Fail = false;
        Assert.Equal(18m, (await h.StateAsync(account)).Balance); // 61 s at 60/60 bills 120 s: 2.00
        if (sessionLeftTheDocument)
        {
            await h.AuthorizeAsync(account, "call-2", "+447700900123", 60);
            await h.TerminateAsync("call-2", 1, 60);
            Assert.False((await h.StateAsync(account)).Sessions.ContainsKey("call-1"));
        }

        var replay = await h.IngestCsvAsync(csv);

        Assert.Equal((0, 1), (replay.Accepted, replay.Duplicates));
        var record = Assert.Single(await usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default), r => r.CdrId == "closing-1");
        Assert.Equal((Settlement.Cdr, 120, 2m, "2026-11"), (record.SettledBy, record.BilledSeconds, record.Charge, record.Period));
        Assert.Equal("session 'call-1' closed by its CDR; recorded on replay after an interrupted ingestion", record.Note);
        Assert.Equal(sessionLeftTheDocument ? 17m : 18m, (await h.StateAsync(account)).Balance);
    }

    [Fact]
    public async Task The_mark_of_the_closing_cdr_is_stored_only_when_a_cdr_closed_the_session()
    {
        var h = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        var account = await h.OpenAsync("mark", Fixtures.Prepaid(), 20m);
        await h.AuthorizeAsync(account, "by-cdr", "+447700900123", 300);
        await h.AuthorizeAsync(account, "by-terminate", "+447700900123", 300);
        await h.IngestCsvAsync($"{Fixtures.CdrHeader}\nmark-1,{account},+441234,+447700900123,{Fixtures.Now:O},61,ANSWERED,by-cdr\n");
        await h.TerminateAsync("by-terminate", 1, 61);

        var sessions = (await h.StateAsync(account)).Sessions;
        Assert.Equal(("mark-1", null), (sessions["by-cdr"].ClosedByCdr, sessions["by-terminate"].ClosedByCdr));
        var stored = JsonSerializer.Serialize(sessions["by-terminate"], StoredJson.Options);
        Assert.DoesNotContain("closedByCdr", stored, StringComparison.Ordinal); // a session stored before the mark reads as this one
        Assert.Equal(sessions["by-terminate"], JsonSerializer.Deserialize<Core.CreditControl.Session>(stored, StoredJson.Options));
        var marked = JsonSerializer.Serialize(sessions["by-cdr"], StoredJson.Options);
        Assert.Contains("\"closedByCdr\":\"mark-1\"", marked, StringComparison.Ordinal);
        Assert.Equal("mark-1", JsonSerializer.Deserialize<Core.CreditControl.Session>(marked, StoredJson.Options)!.ClosedByCdr);
    }

    private sealed class FailingUsageStore(IUsageStore inner) : IUsageStore
    {
        public bool Fail { get; set; }

        /// <summary>Fails the writes of this account only.</summary>
        public string? FailFor { get; set; }

        /// <summary>Writes complete after the call returns, as a commit shared with other writes does.</summary>
        public bool Later { get; init; }

        public int InParallel { get; init; } = 4;

        public int AccountsInParallel => InParallel;

        public Task<IReadOnlyDictionary<string, UsageRecord>> FindExistingAsync(string accountId, IReadOnlyCollection<string> cdrIds, CancellationToken cancellationToken) =>
            inner.FindExistingAsync(accountId, cdrIds, cancellationToken);

        public Task<bool> TryCreateAsync(UsageRecord record, CancellationToken cancellationToken) =>
            Fail ? throw new StoreUnavailableException("the usage container is down") : inner.TryCreateAsync(record, cancellationToken);

        /// <summary>How many records of a batch are written before the failure: a batch torn by a crash.</summary>
        public int CreatedBeforeFailing { get; init; }

        public async Task<IReadOnlyList<bool>> TryCreateManyAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
        {
            if (Later)
            {
                await Task.Delay(5, cancellationToken);
            }

            if (FailFor is not null && records.Any(r => r.AccountId == FailFor))
            {
                throw new StoreUnavailableException("the usage partition is down");
            }

            if (!Fail)
            {
                return await inner.TryCreateManyAsync(records, cancellationToken);
            }

            await inner.TryCreateManyAsync(records.Take(CreatedBeforeFailing).ToList(), cancellationToken);
            throw new StoreUnavailableException("the usage container is down");
        }

        public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
            inner.ListAsync(accountId, from, to, limit, cancellationToken);

        public Task<IReadOnlyList<UsageRecord>> ListAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int limit, ListOrder order, ListCursor? after, CancellationToken cancellationToken) =>
            inner.ListAsync(accountId, from, to, limit, order, after, cancellationToken);
    }
}
