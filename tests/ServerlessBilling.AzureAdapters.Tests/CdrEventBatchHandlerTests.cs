using System.Runtime.CompilerServices;
using Azure.Messaging.EventHubs;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessBilling.AzureAdapters.EventHubs;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.AzureAdapters.Tests;

public sealed class CdrEventBatchHandlerTests
{
    private const string Account = "acme";

    private static EventData Event(string body, long sequence) =>
        EventHubsModelFactory.EventData(new BinaryData(body), sequenceNumber: sequence, offsetString: sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static EventData Event(byte[] body, long sequence) =>
        EventHubsModelFactory.EventData(new BinaryData(body), sequenceNumber: sequence, offsetString: "0");

    private static async Task<(CdrEventBatchHandler Handler, CreditControlHarness Harness)> CreateAsync(IAccountStore? accounts = null)
    {
        var store = new InMemoryAccountStore();
        var harness = new CreditControlHarness(accounts ?? store, new InMemorySessionIndex(), new InMemoryRateDeckStore());
        if (accounts is null)
        {
            await harness.OpenAsync(Account, Fixtures.Postpaid(1000m, hard: false), 0m);
        }

        return (new CdrEventBatchHandler(harness.Ingestion, NullLogger<CdrEventBatchHandler>.Instance), harness);
    }

    private static EventData[] MixedBatch() =>
    [
        Event($$"""{"cdrId":"j-1","accountId":"{{Account}}","callingNumber":"+441","calledNumber":"+447700900123","startTime":"2026-11-26T10:00:00Z","durationSeconds":60,"disposition":"ANSWERED"}""", 100),
        Event($$"""[{"cdrId":"j-2","accountId":"{{Account}}","callingNumber":"+441","calledNumber":"+33145678901","startTime":"2026-11-26T10:00:00Z","durationSeconds":20,"disposition":"ANSWERED"},{"cdrId":"j-3","accountId":"{{Account}}","calledNumber":"+33145678901","startTime":"2026-11-26T10:00:00Z","durationSeconds":"20","disposition":"ANSWERED"}]""", 101),
        Event($"{Fixtures.CdrHeader}\nc-1,{Account},+441,+447700900123,2026-11-26T10:00:00Z,30,ANSWERED,\n", 102),
        Event($"c-2,{Account},+441,+447700900123,2026-11-26T10:00:00Z,120,ANSWERED,\nc-3,{Account},+441,+447700900123,not-a-time,120,ANSWERED,\n", 103),
        Event([0x00, 0xFF, 0xFE, 0x7B, 0x00], 104),
        Event("""{"cdrId": """, 105),
    ];

    [Fact]
    public async Task A_mixed_batch_applies_every_good_cdr_and_quarantines_the_rest_with_the_event_named()
    {
        var (handler, harness) = await CreateAsync();

        var result = await handler.HandleAsync(MixedBatch(), default);

        Assert.Equal(4, result.Accepted);           // j-1, j-2, c-1, c-2
        Assert.Equal(0, result.Duplicates);
        Assert.Equal(4, result.Quarantined.Count);  // j-3 (duration as a string), c-3 (time), the binary event, the truncated JSON event
        Assert.Equal(result.Received, result.Accepted + result.Duplicates + result.Quarantined.Count);
        Assert.Contains(result.Quarantined, q => q.Reason.StartsWith("event 101:", StringComparison.Ordinal) && q.CdrId == "j-3");
        Assert.Contains(result.Quarantined, q => q.Reason.StartsWith("event 103:", StringComparison.Ordinal) && q.CdrId == "c-3");
        Assert.Contains(result.Quarantined, q => q.Reason.StartsWith("event 104:", StringComparison.Ordinal));
        Assert.Contains(result.Quarantined, q => q.Reason.StartsWith("event 105:", StringComparison.Ordinal));

        var totals = (await harness.StateAsync(Account)).Totals["2026-11"].Total;
        Assert.Equal(new UsageTotals(4, 60 + 20 + 60 + 120, 1.00m + 0.05m + 1.00m + 2.00m), totals);
        Assert.Equal(4, (await harness.Quarantine.ListAsync(null, 100, default)).Count);
    }

    [Fact]
    public async Task An_event_cdr_quarantined_when_rated_keeps_its_own_text_when_an_earlier_event_of_the_batch_has_the_same_line()
    {
        // Hostile round sixteen. The events of a batch are read one by one, so their line numbers start again in each. The
        // text of a CDR refused at rating (no deck prefix, unknown account, conflict) was looked up by its line number
        // among the account's records of the batch: the first record with that line won. Every one-CDR JSON event is line
        // 1, so the quarantine kept the first event's CDR (a good one, charged) in place of the refused one, whose own
        // text, the only copy the operator has to repair and resend, was lost.
        var (handler, harness) = await CreateAsync();
        var good = $$"""{"cdrId":"j-1","accountId":"{{Account}}","callingNumber":"+441","calledNumber":"+447700900123","startTime":"2026-11-26T10:00:00Z","durationSeconds":60,"disposition":"ANSWERED"}""";
        var unrated = $$"""{"cdrId":"j-2","accountId":"{{Account}}","callingNumber":"+441","calledNumber":"+999123","startTime":"2026-11-26T10:00:00Z","durationSeconds":60,"disposition":"ANSWERED"}""";
        var goodLine = $"c-1,{Account},+441,+447700900123,2026-11-26T10:00:00Z,60,ANSWERED,\n";
        var unratedLine = $"c-2,{Account},+441,+999456,2026-11-26T10:00:00Z,60,ANSWERED,\n";

        var result = await handler.HandleAsync([Event(good, 1), Event(unrated, 2), Event(goodLine, 3), Event(unratedLine, 4)], default);

        Assert.Equal(2, result.Accepted);
        Assert.Equal(2, result.Quarantined.Count);
        var stored = await harness.Quarantine.ListAsync(Account, 10, default);
        var json = Assert.Single(stored, q => q.CdrId == "j-2");
        Assert.Equal(unrated, json.Raw);
        var csv = Assert.Single(stored, q => q.CdrId == "c-2");
        Assert.Equal(unratedLine.TrimEnd('\n'), csv.Raw);
    }

    [Fact]
    public async Task A_replayed_batch_changes_nothing()
    {
        var (handler, harness) = await CreateAsync();
        await handler.HandleAsync(MixedBatch(), default);
        var before = await harness.StateAsync(Account);

        var replay = await handler.HandleAsync(MixedBatch(), default);

        Assert.Equal(0, replay.Accepted);
        Assert.Equal(4, replay.Duplicates);
        var after = await harness.StateAsync(Account);
        Assert.Equal(before.Balance, after.Balance);
        Assert.Equal(before.Totals["2026-11"], after.Totals["2026-11"]);
        Assert.Equal(4, (await harness.Quarantine.ListAsync(null, 100, default)).Count); // quarantined once, not twice
    }

    [Fact]
    public async Task Store_faults_propagate_so_that_the_host_retries_the_batch()
    {
        var (handler, _) = await CreateAsync(new UnavailableAccountStore());
        await Assert.ThrowsAsync<StoreUnavailableException>(() => handler.HandleAsync(MixedBatch(), default));
    }

    [Fact]
    public async Task An_empty_batch_is_fine()
    {
        var (handler, _) = await CreateAsync();
        var result = await handler.HandleAsync([], default);
        Assert.Equal(0, result.Received);
    }

    private sealed class UnavailableAccountStore : IAccountStore
    {
        public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) =>
            throw new StoreUnavailableException("the store is down (test)");

        public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken) => throw new StoreUnavailableException("down");

        public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken) => throw new StoreUnavailableException("down");

        public async IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            yield break;
        }
    }
}
