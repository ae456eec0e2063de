using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Storage;

/// <summary>The in-memory store keeps a bounded history: what it keeps answers as before, what it forgot is unknown.</summary>
public sealed class InMemoryBoundsTests
{
    private readonly FakeTimeProvider _clock = new(Fixtures.Now);

    [Fact]
    public async Task Beyond_the_count_the_longest_closed_sessions_are_forgotten_and_open_ones_kept()
    {
        var index = new InMemorySessionIndex(new MemoryStoreOptions { MaxClosedSessions = 2 }, _clock);
        await index.ClaimAsync("open", "a", default);
        foreach (var id in new[] { "s1", "s2", "s3" })
        {
            await index.ClaimAsync(id, "a", default);
            await index.RecordClosedAsync(Closed(id), default);
        }

        Assert.Null(await index.FindClosedAsync("s1", default));
        Assert.Null(await index.FindAccountAsync("s1", default));
        Assert.Equal("s2", (await index.FindClosedAsync("s2", default))?.SessionId);
        Assert.Equal("s3", (await index.FindClosedAsync("s3", default))?.SessionId);
        Assert.Equal("a", await index.FindAccountAsync("open", default));
        Assert.Equal(3, index.Count);
        Assert.True((await index.ClaimAsync("s1", "a", default)).IsNew);
    }

    [Fact]
    public async Task Entries_older_than_the_retention_are_forgotten_and_younger_ones_kept()
    {
        var index = new InMemorySessionIndex(new MemoryStoreOptions { SessionHistoryRetention = TimeSpan.FromHours(1) }, _clock);
        await index.ClaimAsync("old-open", "a", default);
        await index.ClaimAsync("old-closed", "a", default);
        await index.RecordClosedAsync(Closed("old-closed"), default);
        _clock.Advance(TimeSpan.FromMinutes(40));
        await index.ClaimAsync("young", "a", default);
        _clock.Advance(TimeSpan.FromMinutes(30));

        Assert.Null(await index.FindAccountAsync("old-open", default));
        Assert.Null(await index.FindClosedAsync("old-closed", default));
        Assert.Equal("a", await index.FindAccountAsync("young", default));
        await index.ClaimAsync("later", "a", default);
        Assert.Equal(2, index.Count);
    }

    /// <summary>An open session's interims keep its entry: its age counts from the last lookup, a closed one's from its close.</summary>
    [Fact]
    public async Task An_open_entry_looked_up_is_kept_past_the_retention_and_the_others_are_not()
    {
        var index = new InMemorySessionIndex(new MemoryStoreOptions { SessionHistoryRetention = TimeSpan.FromHours(1) }, _clock);
        await index.ClaimAsync("kept", "a", default);
        await index.ClaimAsync("left", "a", default);
        await index.ClaimAsync("closed", "a", default);
        await index.RecordClosedAsync(Closed("closed"), default);

        _clock.Advance(TimeSpan.FromMinutes(40));
        Assert.Equal("a", await index.FindAccountAsync("kept", default));
        Assert.Equal("a", await index.FindAccountNowAsync("closed", default));
        _clock.Advance(TimeSpan.FromMinutes(40));
        await index.ClaimAsync("later", "a", default); // trims what expired

        Assert.Equal(2, index.Count);
        Assert.Equal("a", await index.FindAccountNowAsync("kept", default));
        Assert.Null(await index.FindAccountAsync("left", default));
        Assert.Null(await index.FindClosedAsync("closed", default));
        _clock.Advance(TimeSpan.FromMinutes(50));
        Assert.Equal(new SessionClaim("a", IsNew: false), await index.ClaimAsync("kept", "b", default));
    }

    [Fact]
    public async Task A_history_recorded_before_any_claim_leaves_the_claim_new_and_keeps_the_history()
    {
        var index = new InMemorySessionIndex(new MemoryStoreOptions(), _clock);
        await index.RecordClosedAsync(Closed("s"), default);

        Assert.Null(await index.FindAccountAsync("s", default));
        Assert.True((await index.ClaimAsync("s", "a", default)).IsNew);
        Assert.False((await index.ClaimAsync("s", "b", default)).IsNew);
        Assert.Equal("s", (await index.FindClosedAsync("s", default))?.SessionId);
    }

    [Fact]
    public async Task A_replayed_terminate_is_answered_from_the_kept_history_and_unknown_once_it_is_forgotten()
    {
        var index = new InMemorySessionIndex(new MemoryStoreOptions { MaxClosedSessions = 3 }, _clock);
        var harness = new CreditControlHarness(new InMemoryAccountStore(), index, new InMemoryRateDeckStore(), new CreditControlOptions { ClosedSessionsKept = 1 });
        var account = await harness.OpenAsync("acc", Fixtures.Prepaid(), 100m);
        Assert.Null((await harness.AuthorizeAsync(account, "first")).Error);
        var answer = await harness.TerminateAsync("first", 1, 42);
        foreach (var n in Enumerable.Range(0, 2))
        {
            await harness.AuthorizeAsync(account, $"next-{n}");
            await harness.TerminateAsync($"next-{n}", 1, 10);
        }

        var replay = await harness.TerminateAsync("first", 1, 42);
        Assert.NotNull(answer.Answer);
        Assert.Equal(answer.Answer, replay.Answer);
        var balance = (await harness.StateAsync(account)).Balance;

        await harness.AuthorizeAsync(account, "pushes-it-out");
        await harness.TerminateAsync("pushes-it-out", 1, 10);
        var after = (await harness.StateAsync(account)).Balance;
        Assert.NotNull((await harness.TerminateAsync("first", 1, 42)).Error);
        Assert.Equal(after, (await harness.StateAsync(account)).Balance);
        Assert.NotEqual(balance, after);
    }

    [Fact]
    public async Task Beyond_the_count_the_oldest_usage_records_are_dropped()
    {
        var store = new InMemoryUsageStore(new MemoryStoreOptions { MaxUsageRecords = 3 });
        var records = Enumerable.Range(0, 5).Select(i => Usage($"c{i}", i % 2 == 0 ? "a" : "b", i)).ToList();
        Assert.All(await store.TryCreateManyAsync(records, default), Assert.True);

        Assert.Equal(3, store.Count);
        Assert.Equal(["c2", "c4"], (await store.FindExistingAsync("a", ["c0", "c2", "c4"], default)).Keys.Order());
        Assert.Equal(["c2", "c4"], (await store.ListAsync("a", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default)).Select(r => r.CdrId));
        Assert.Equal(["c3"], (await store.ListAsync("b", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default)).Select(r => r.CdrId));
        Assert.False(await store.TryCreateAsync(records[4], default));
    }

    [Fact]
    public async Task Once_an_accounts_records_are_dropped_none_of_its_ids_counts_as_unrecorded()
    {
        // A missing record of such an account may be a dropped one: its applied set forgets its oldest ids as before.
        var store = new InMemoryUsageStore(new MemoryStoreOptions { MaxUsageRecords = 3 });
        Assert.All(await store.TryCreateManyAsync(Enumerable.Range(0, 5).Select(i => Usage($"c{i}", i < 3 ? "a" : "b", i)).ToList(), default), Assert.True);

        Assert.Empty(await store.FindUnrecordedAsync("a", ["c0", "c1", "c2", "c9"], default));
        Assert.Equal(["c9"], await store.FindUnrecordedAsync("b", ["c3", "c9"], default));
    }

    [Fact]
    public async Task Concurrent_batches_of_the_same_records_create_each_exactly_once()
    {
        var store = new InMemoryUsageStore(new MemoryStoreOptions { MaxUsageRecords = 1000 });
        var records = Enumerable.Range(0, 200).Select(i => Usage($"c{i}", $"a{i % 7}", i % 60)).ToList();
        var created = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 8), async (n, ct) =>
        {
            // Each worker offers every record, in chunks and from its own starting point, so that the same ids race.
            foreach (var chunk in records.Skip(n * 25).Concat(records.Take(n * 25)).Chunk(10))
            {
                Interlocked.Add(ref created, (await store.TryCreateManyAsync(chunk, ct)).Count(c => c));
            }
        });

        Assert.Equal(200, created);
        Assert.Equal(200, store.Count);
        var listed = 0;
        for (var a = 0; a < 7; a++)
        {
            listed += (await store.ListAsync($"a{a}", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 1000, default)).Count;
        }

        Assert.Equal(200, listed);
    }

    [Fact]
    public async Task A_usage_record_is_given_back_equal_to_the_one_stored()
    {
        var store = new InMemoryUsageStore();
        var record = Usage("c", "a", 7) with
        {
            SessionId = "s", StartTime = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.FromHours(-5.5)),
            Note = "note", SettledBy = Settlement.Session, Charge = 1.2345678m,
        };
        await store.TryCreateAsync(record, default);

        Assert.Equal(record, (await store.FindExistingAsync("a", ["c"], default))["c"]);
        Assert.Equal(record, Assert.Single(await store.ListAsync("a", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default)));
    }

    [Fact]
    public async Task Records_of_a_chunk_recorded_apart_in_time_come_back_exact()
    {
        // Times are kept as differences from the chunk's first record's: far apart, before it, and to the tick.
        var store = new InMemoryUsageStore();
        var records = Enumerable.Range(0, 600).Select(i => Usage($"c{i}", $"a{i % 3}", i) with
        {
            StartTime = Fixtures.Now.AddDays((i % 5) - 2).AddTicks(i * 7919),
            AppliedAt = Fixtures.Now.AddYears(i % 2 == 0 ? -1 : 1).AddTicks(i),
            CalledNumber = i % 4 == 0 ? "+4477009" + i : "sip:" + i,
        }).ToList();
        Assert.All(await store.TryCreateManyAsync(records, default), Assert.True);

        for (var a = 0; a < 3; a++)
        {
            var expected = records.Where(r => r.AccountId == $"a{a}").OrderBy(r => r.StartTime).ThenBy(r => r.CdrId, StringComparer.Ordinal);
            Assert.Equal(expected, await store.ListAsync($"a{a}", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 1000, default));
        }
    }

    [Fact]
    public void The_id_table_finds_what_a_set_holds_through_adds_and_removals_of_the_oldest()
    {
        // Hashes forced into few values: long probe runs, and removals that shift later slots back across the wrap.
        var log = new UsageLog();
        var ids = new UsageIds(log);
        var kept = new Queue<(long Seq, string CdrId)>();
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var cdrId = $"c{i}";
            var seq = log.Append(Usage(cdrId, "a", i), 0, -1);
            ids.Add(seq, Collide(cdrId));
            kept.Enqueue((seq, cdrId));
            while (kept.Count > 1500 || (kept.Count > 0 && random.Next(3) == 0))
            {
                var (oldest, _) = kept.Dequeue();
                ids.Remove(oldest, Collide($"c{oldest}"));
                log.DropOldest();
            }

            if (i % 997 == 0)
            {
                foreach (var (s, id) in kept)
                {
                    Assert.Equal(s, ids.Find(Key(id), Collide(id)));
                }

                Assert.Null(ids.Find(Key($"c{i - 1600}"), Collide($"c{i - 1600}")));
            }
        }

        static int Collide(string cdrId) => cdrId.Length * 31;

        static UsageLog.Key Key(string cdrId) => new(0, System.Text.Encoding.UTF8.GetBytes(cdrId));
    }

    [Fact]
    public void Settings_that_would_keep_nothing_are_refused_by_name()
    {
        var errors = new MemoryStoreOptions { SessionHistoryRetention = TimeSpan.Zero, MaxClosedSessions = 0, MaxUsageRecords = 0, MaxQuarantineRecords = 0 }.Validate();

        Assert.Equal(["Memory:SessionHistoryRetention must be positive", "Memory:MaxClosedSessions must be at least 1", "Memory:MaxUsageRecords must be at least 1", "Memory:MaxQuarantineRecords must be at least 1"], errors);
        Assert.Empty(new MemoryStoreOptions().Validate());
    }

    [Fact]
    public async Task Past_many_chunks_exactly_the_newest_usage_records_are_kept_listed_and_found()
    {
        // 2,000 records over 7 accounts kept to 700: the bound falls inside a chunk, accounts lose their oldest first.
        var store = new InMemoryUsageStore(new MemoryStoreOptions { MaxUsageRecords = 700 });
        var records = Enumerable.Range(0, 2000).Select(i => Usage($"c{i}", $"a{i % 7}", i)).ToList();
        foreach (var batch in records.Chunk(93))
        {
            Assert.All(await store.TryCreateManyAsync(batch, default), Assert.True);
        }

        Assert.Equal(700, store.Count);
        var kept = records.Skip(1300).ToList();
        for (var a = 0; a < 7; a++)
        {
            var account = $"a{a}";
            var expected = kept.Where(r => r.AccountId == account).ToList();
            Assert.Equal(expected, await store.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 1000, default));
            var found = await store.FindExistingAsync(account, [.. records.Where(r => r.AccountId == account).Select(r => r.CdrId)], default);
            Assert.Equal(expected.Select(r => r.CdrId).Order(), found.Keys.Order());
        }

        // A dropped record is unknown: creating it again succeeds (and drops the oldest kept); a kept one is a duplicate.
        Assert.False(await store.TryCreateAsync(records[1300], default));
        Assert.True(await store.TryCreateAsync(records[0], default));
        Assert.Equal(700, store.Count);
        Assert.Empty(await store.FindExistingAsync("a5", ["c1300"], default));
    }

    [Fact]
    public async Task A_listing_after_drops_keeps_its_time_window_order_and_limit()
    {
        var store = new InMemoryUsageStore(new MemoryStoreOptions { MaxUsageRecords = 10 });
        // Recorded out of time order: the listing orders by start time, the bound by when each was recorded.
        foreach (var i in new[] { 9, 3, 14, 0, 7, 12, 1, 11, 5, 13, 2, 8, 4, 6, 10 })
        {
            await store.TryCreateAsync(Usage($"c{i:00}", "a", i), default);
        }

        var listed = await store.ListAsync("a", Fixtures.Now.AddSeconds(2), Fixtures.Now.AddSeconds(13), 5, default);

        Assert.Equal(["c02", "c04", "c05", "c06", "c08"], listed.Select(r => r.CdrId));
    }

    [Fact]
    public async Task An_account_whose_records_were_all_dropped_lists_nothing_and_its_number_is_reused()
    {
        var store = new InMemoryUsageStore(new MemoryStoreOptions { MaxUsageRecords = 2 });
        await store.TryCreateAsync(Usage("x", "gone", 0), default);
        foreach (var n in Enumerable.Range(0, 6))
        {
            await store.TryCreateAsync(Usage($"n{n}", $"acc{n}", n), default);
        }

        Assert.Empty(await store.ListAsync("gone", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default));
        Assert.Equal(["n4"], (await store.ListAsync("acc4", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default)).Select(r => r.CdrId));
        Assert.Equal(["n5"], (await store.ListAsync("acc5", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default)).Select(r => r.CdrId));
        Assert.True(await store.TryCreateAsync(Usage("x", "gone", 0), default));
        Assert.Equal(["x"], (await store.ListAsync("gone", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default)).Select(r => r.CdrId));
        Assert.Empty(await store.ListAsync("acc4", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default));
    }

    public static TheoryData<UsageRecord> Unusual => new()
    {
        Usage("c", "a", 0) with { Charge = -12345678901234567890.123456789m, Note = "ünïcødé ☎ note", SessionId = "sess-ß" },
        Usage("ид-☎", "счёт", 0) with { Charge = decimal.MaxValue, DurationSeconds = 0, BilledSeconds = int.MaxValue, Period = "" },
        Usage("c", "a", 0) with { Charge = 0.0000m, StartTime = DateTimeOffset.MinValue, AppliedAt = DateTimeOffset.MaxValue, Disposition = "" },
        Usage("c", "a", 0) with { StartTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(14)), AppliedAt = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.FromHours(-14)), DurationSeconds = -1 },
        Usage(new string('x', 10_000), "a", 0) with { Note = new string('n', 100_000), Destination = new string('d', 3000) },
        // Called numbers packed two digits a byte, or kept as text when they are not only dialled characters.
        Usage("c", "a", 0) with { CalledNumber = "12345", AppliedAt = Fixtures.Now.AddTicks(1_234_567) },
        Usage("c", "a", 0) with { CalledNumber = "", StartTime = Fixtures.Now.AddTicks(-1) },
        Usage("c", "a", 0) with { CalledNumber = "+44 (0) 7700 900123", Charge = new decimal(0, 0, 0, true, 3) },
        Usage("c", "a", 0) with { CalledNumber = "*#06#-1.2 +", Charge = 4_294_967_295.0000000001m },
        Usage("c", "a", 0) with { CalledNumber = "٤٤٧٧", Charge = -4_294_967_296m, StartTime = DateTimeOffset.MaxValue.AddTicks(-1), AppliedAt = DateTimeOffset.MinValue },
    };

    [Theory]
    [MemberData(nameof(Unusual))]
    public async Task An_unusual_usage_record_is_given_back_equal_to_the_one_stored(UsageRecord record)
    {
        var store = new InMemoryUsageStore();
        await store.TryCreateAsync(Usage("before", record.AccountId, 1), default);
        await store.TryCreateAsync(record, default);
        await store.TryCreateAsync(Usage("after", record.AccountId, 2), default);

        var back = (await store.FindExistingAsync(record.AccountId, [record.CdrId], default))[record.CdrId];
        Assert.Equal(record, back);
        Assert.Equal(decimal.GetBits(record.Charge), decimal.GetBits(back.Charge));
        Assert.Equal(record.StartTime.Offset, back.StartTime.Offset);
        Assert.Contains(record, await store.ListAsync(record.AccountId, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default));
    }

    [Fact]
    public async Task The_first_drop_of_each_bound_is_logged_once()
    {
        var logger = new ListLogger(LogLevel.Information);
        var options = new MemoryStoreOptions { MaxUsageRecords = 2, MaxClosedSessions = 1, MaxQuarantineRecords = 1, SessionHistoryRetention = TimeSpan.FromHours(1) };
        var usage = new InMemoryUsageStore(options, logger);
        var index = new InMemorySessionIndex(options, _clock, logger);
        var quarantine = new InMemoryQuarantineStore(options, logger);
        await usage.TryCreateManyAsync([.. Enumerable.Range(0, 2).Select(i => Usage($"c{i}", "a", i))], default);
        await index.RecordClosedAsync(Closed("s0"), default);
        await quarantine.AddAsync(Quarantined(0), default);
        Assert.Empty(logger.Lines);

        await usage.TryCreateManyAsync([.. Enumerable.Range(2, 5).Select(i => Usage($"c{i}", "a", i))], default);
        foreach (var n in Enumerable.Range(1, 4))
        {
            await index.RecordClosedAsync(Closed($"s{n}"), default);
            await quarantine.AddAsync(Quarantined(n), default);
        }

        _clock.Advance(TimeSpan.FromHours(2));
        await index.ClaimAsync("new", "a", default);
        await index.ClaimAsync("newer", "a", default);

        Assert.Equal(4, logger.Lines.Count);
        Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("2 usage records kept (Memory:MaxUsageRecords)", StringComparison.Ordinal));
        Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("1 closed sessions kept (Memory:MaxClosedSessions)", StringComparison.Ordinal));
        Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("1 quarantined CDRs kept (Memory:MaxQuarantineRecords)", StringComparison.Ordinal));
        Assert.Single(logger.Lines, l => l.Level == LogLevel.Information && l.Message.Contains("Memory:SessionHistoryRetention", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Beyond_the_count_the_oldest_quarantined_are_dropped_and_the_listing_shows_the_rest()
    {
        var store = new InMemoryQuarantineStore(new MemoryStoreOptions { MaxQuarantineRecords = 3 });
        foreach (var n in Enumerable.Range(0, 5))
        {
            await store.AddAsync(Quarantined(n) with { AccountId = n % 2 == 0 ? "even" : "odd" }, default);
        }

        await store.AddAsync(Quarantined(4), default);

        Assert.Equal(["q4", "q3", "q2"], (await store.ListAsync(null, 10, default)).Select(q => q.QuarantineId));
        Assert.Equal(["q4", "q2"], (await store.ListAsync("even", 10, default)).Select(q => q.QuarantineId));
        Assert.Equal(["q4"], (await store.ListAsync(null, 1, default)).Select(q => q.QuarantineId));
        Assert.Equal(3, store.Count);
    }

    private static QuarantineRecord Quarantined(int n) =>
        new($"q{n}", "a", $"c{n}", n + 1, "duration_seconds is not a whole number", "raw line", "http", Fixtures.Now.AddSeconds(n));

    private static ClosedSession Closed(string sessionId) => new("a", new Session
    {
        SessionId = sessionId, Fingerprint = "a|+44|+336|", StartTime = Fixtures.Now, Prefix = "336", Destination = "France Mobile",
        Tariff = new Tariff(0.24m, 0.01m, 30, 6), Status = SessionStatus.Expired, ExpiresAt = Fixtures.Now.AddMinutes(15),
        AuthorizeAnswer = new GrantAnswer(sessionId, ResultCode.Success, 300, 300, false, 1.21m, 0.24m, "GBP", 98.79m),
    });

    private static UsageRecord Usage(string cdrId, string accountId, int second) => new(
        cdrId, accountId, null, "+447700900123", Fixtures.Now.AddSeconds(second), 61, "ANSWERED", "447", "UK Mobile", 66, 0.044m, "GBP", "2026-11",
        Settlement.Cdr, null, Fixtures.Now);
}
