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
    public void Settings_that_would_keep_nothing_are_refused_by_name()
    {
        var errors = new MemoryStoreOptions { SessionHistoryRetention = TimeSpan.Zero, MaxClosedSessions = 0, MaxUsageRecords = 0 }.Validate();

        Assert.Equal(["Memory:SessionHistoryRetention must be positive", "Memory:MaxClosedSessions must be at least 1", "Memory:MaxUsageRecords must be at least 1"], errors);
        Assert.Empty(new MemoryStoreOptions().Validate());
    }

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
