using System.Text;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Ingestion;

namespace ServerlessBilling.Testing;

/// <summary>
/// CDR ingestion invariants (ARCHITECTURE.md 3-5: exactly-once effect, one price, nothing lost), run against
/// every store.
/// </summary>
public abstract partial class StoreContract
{
    private const string Header = Fixtures.CdrHeader;

    /// <summary>A batch for one account: 44 (1.00/min 60/60), 4420 (0.60/min 30/6 + 0.05), 33 (0.15/min 1/1), and an unanswered call.</summary>
    private static string Batch(string account, string run, int calls)
    {
        var csv = new StringBuilder(Header).Append('\n');
        string[] numbers = ["+447700900123", "+442071234567", "0033612345678", "+33145678901"];
        for (var i = 0; i < calls; i++)
        {
            var disposition = i % 10 == 9 ? "NO_ANSWER" : "ANSWERED";
            csv.Append($"{run}-{i},{account},+441234567,{numbers[i % numbers.Length]},2026-11-26T10:{i % 60:00}:00Z,{(i * 37) % 400},{disposition},\n");
        }

        return csv.ToString();
    }

    [Fact]
    public async Task A_batch_replayed_three_times_changes_nothing_after_the_first()
    {
        var harness = NewHarness();
        var account = await harness.OpenAsync(NewId("post"), Fixtures.Postpaid(10_000m, hard: false, NewId("deck")), 0m);
        var batch = Batch(account, NewId("c"), 40);

        var first = await harness.IngestCsvAsync(batch);
        Assert.Equal(40, first.Accepted);
        var after = await harness.StateAsync(account);

        for (var replay = 0; replay < 3; replay++)
        {
            var again = await harness.IngestCsvAsync(batch);
            Assert.Equal((40, 0, 40), (again.Received, again.Accepted, again.Duplicates));
            Assert.Empty(again.Quarantined);
        }

        var state = await harness.StateAsync(account);
        Assert.Equal(after.Balance, state.Balance);
        Assert.Equal(after.Committed, state.Committed);
        Assert.Equal(after.Totals.Values.Single().Total, state.Totals.Values.Single().Total);
        Assert.Equal(40, (await harness.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 1000, default)).Count);
        Fixtures.AssertConserved(state);
    }

    [Fact]
    public async Task A_few_cdrs_replayed_after_many_are_recognised_as_duplicates()
    {
        var harness = NewHarness();
        var account = await harness.OpenAsync(NewId("post"), Fixtures.Postpaid(10_000m, hard: false, NewId("deck")), 0m);
        var batch = Batch(account, NewId("c"), 100);
        Assert.Equal(100, (await harness.IngestCsvAsync(batch)).Accepted);
        var before = await harness.StateAsync(account);

        // Three of the hundred again: few enough to be looked up in the document's applied set in place.
        var few = string.Join('\n', batch.Split('\n').Take(4)) + "\n";
        var again = await harness.IngestCsvAsync(few);

        Assert.Equal((3, 0, 3), (again.Received, again.Accepted, again.Duplicates));
        Assert.Equal(before.Balance, (await harness.StateAsync(account)).Balance);
    }

    [Fact]
    public async Task Overlapping_batches_on_two_threads_give_the_totals_of_one_pass()
    {
        var harness = NewHarness();
        var deck = NewId("deck");
        var concurrent = await harness.OpenAsync(NewId("two"), Fixtures.Prepaid(deck), 1000m);
        var single = await harness.OpenAsync(NewId("one"), Fixtures.Prepaid(deck), 1000m);
        var run = NewId("c");
        var lines = Batch("ACCOUNT", run, 60).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
        string Part(string account, int from, int count) => Header + "\n" + string.Join('\n', lines.Skip(from).Take(count)).Replace("ACCOUNT", account, StringComparison.Ordinal);

        // Thread A takes calls 0-39, thread B calls 20-59: 20 CDRs are delivered twice, concurrently.
        await Task.WhenAll(
            Task.Run(() => harness.IngestCsvAsync(Part(concurrent, 0, 40))),
            Task.Run(() => harness.IngestCsvAsync(Part(concurrent, 20, 40))));
        await harness.IngestCsvAsync(Part(single, 0, 60));

        var a = await harness.StateAsync(concurrent);
        var b = await harness.StateAsync(single);
        Assert.Equal(b.Balance, a.Balance);
        Assert.Equal(b.Totals.Values.Single().Total, a.Totals.Values.Single().Total);
        Assert.Equal(
            b.Totals.Values.Single().ByDestination.ToList(),
            a.Totals.Values.Single().ByDestination.ToList());
        Fixtures.AssertConserved(a);
    }

    [Fact]
    public async Task Two_concurrent_deliveries_of_a_group_longer_than_the_applied_set_charge_each_cdr_once()
    {
        // One account's share longer than the document's applied set: the ids the first delivery's write pushes out of
        // the set must not look new to the second before their usage records exist.
        var harness = NewHarness();
        var deck = NewId("deck");
        var concurrent = await harness.OpenAsync(NewId("two"), Fixtures.Postpaid(1_000_000m, hard: false, deck), 0m);
        var single = await harness.OpenAsync(NewId("one"), Fixtures.Postpaid(1_000_000m, hard: false, deck), 0m);
        var run = NewId("c");
        var calls = AccountState.AppliedCdrCapacity * 2 + 300;

        var results = await Task.WhenAll(
            Task.Run(() => harness.IngestCsvAsync(Batch(concurrent, run, calls))),
            Task.Run(() => harness.IngestCsvAsync(Batch(concurrent, run, calls))));
        Assert.Equal(calls, (await harness.IngestCsvAsync(Batch(single, run, calls))).Accepted);

        Assert.Equal(calls, results.Sum(r => r.Accepted));
        Assert.Equal(calls, results.Sum(r => r.Duplicates));
        var (a, b) = (await harness.StateAsync(concurrent), await harness.StateAsync(single));
        Assert.Equal(b.Committed, a.Committed);
        Assert.Equal(b.Totals.Values.Single().Total, a.Totals.Values.Single().Total);
        var usage = await harness.Usage.ListAsync(concurrent, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, calls + 10, default);
        Assert.Equal(calls, usage.Count);
        Assert.Equal(b.Committed, usage.Sum(r => r.Charge));
        Fixtures.AssertConserved(a);
    }

    [Fact]
    public async Task A_call_charged_by_terminate_and_then_by_its_cdr_is_charged_once()
    {
        var harness = NewHarness();
        var account = await harness.OpenAsync(NewId("pre"), Fixtures.Prepaid(NewId("deck")), 20m);
        var session = NewId("call");
        await harness.AuthorizeAsync(account, session, "+442071234567", 300);
        var end = (await harness.TerminateAsync(session, 1, 95)).Answer!;
        Assert.Equal(1.01m, end.Charge); // 0.05 + 0.60 × 96/60

        var cdr = $"{Header}\n{NewId("cdr")},{account},+441234567,+442071234567,{Fixtures.Now:O},97,ANSWERED,{session}\n";
        var result = await harness.IngestCsvAsync(cdr);
        Assert.Equal(1, result.Accepted);

        var state = await harness.StateAsync(account);
        Assert.Equal(20m - 1.01m, state.Balance);
        var usage = Assert.Single(await harness.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default));
        Assert.Equal(Settlement.Session, usage.SettledBy);
        Assert.Equal(1.07m, usage.Charge); // what the CDR rates to: 97 s bills 30 + 12 × 6 = 102 s → 0.05 + 1.02
        Assert.Contains("not charged", usage.Note, StringComparison.Ordinal); // the 0.06 difference is a reconciliation note
        Fixtures.AssertConserved(state);
    }

    [Fact]
    public async Task A_cdr_that_arrives_before_the_terminate_charges_the_call_and_the_terminate_changes_nothing()
    {
        var harness = NewHarness();
        var account = await harness.OpenAsync(NewId("pre"), Fixtures.Prepaid(NewId("deck")), 20m);
        var session = NewId("call");
        await harness.AuthorizeAsync(account, session, "+447700900123", 300);

        var cdr = $"{Header}\n{NewId("cdr")},{account},+441234567,+447700900123,{Fixtures.Now:O},61,ANSWERED,{session}\n";
        Assert.Equal(1, (await harness.IngestCsvAsync(cdr)).Accepted);
        var afterCdr = await harness.StateAsync(account);
        Assert.Equal(18m, afterCdr.Balance); // 61 s at 60/60 bills 120 s: 2.00
        Assert.Equal(0m, afterCdr.Reserved);

        var end = (await harness.TerminateAsync(session, 1, 61)).Answer!;
        Assert.Equal(2m, end.Charge);
        Assert.Equal(18m, (await harness.StateAsync(account)).Balance);
        Fixtures.AssertConserved(await harness.StateAsync(account));
    }

    [Fact]
    public async Task A_cdr_for_a_session_that_has_left_the_account_document_is_settled_from_its_history()
    {
        var harness = NewHarness(new CreditControlOptions { ClosedSessionsKept = 1 });
        var account = await harness.OpenAsync(NewId("pre"), Fixtures.Prepaid(NewId("deck")), 20m);
        var first = NewId("call");
        var second = NewId("call");
        foreach (var session in new[] { first, second })
        {
            await harness.AuthorizeAsync(account, session, "+447700900123", 60);
            await harness.TerminateAsync(session, 1, 60);
        }

        Assert.False((await harness.StateAsync(account)).Sessions.ContainsKey(first));
        var cdr = $"{Header}\n{NewId("cdr")},{account},+441234567,+447700900123,{Fixtures.Now:O},60,ANSWERED,{first}\n";
        Assert.Equal(1, (await harness.IngestCsvAsync(cdr)).Accepted);

        Assert.Equal(18m, (await harness.StateAsync(account)).Balance);
        var usage = Assert.Single(await harness.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default));
        Assert.Equal(Settlement.Session, usage.SettledBy);
    }

    [Fact]
    public async Task A_prepaid_cdr_for_an_unknown_session_is_charged_now_even_below_zero()
    {
        var harness = NewHarness();
        var account = await harness.OpenAsync(NewId("pre"), Fixtures.Prepaid(NewId("deck")), 1m);
        var cdr = $"{Header}\n{NewId("cdr")},{account},+441234567,+447700900123,{Fixtures.Now:O},150,ANSWERED,{NewId("ghost")}\n";
        Assert.Equal(1, (await harness.IngestCsvAsync(cdr)).Accepted);
        var state = await harness.StateAsync(account);
        Assert.Equal(-2m, state.Balance); // 150 s at 60/60 bills 180 s: 3.00
        Fixtures.AssertConserved(state);
    }

    [Fact]
    public async Task A_garbage_corpus_is_quarantined_line_by_line_and_every_good_line_applies()
    {
        var harness = NewHarness();
        var account = await harness.OpenAsync(NewId("post"), Fixtures.Postpaid(1000m, hard: false, NewId("deck")), 0m);
        var good = NewId("good");
        var lines = new[]
        {
            $"{good}-1,{account},+441,+447700900123,2026-11-26T10:00:00Z,60,ANSWERED,",
            $"{good}-2,{account},+441,+447700900123,2026-11-26T10:00:00Z",                    // truncated
            $"{good}-3,{account},+441,+447700900123,2026-11-26T10:00:00Z,60,ANSWERED,,extra",  // too many columns
            "\u0001\u0002\u00ff\u0000binary,\u0007,,,,,,",                                     // binary bytes
            $"{good}-5,{account},+441,+447700900123,2026-11-26T10:00:00Z,60,HUNG_UP,",         // unknown disposition
            $"{good}-6,{account},+441,+447700900123,1899-01-01T00:00:00Z,60,ANSWERED,",        // date out of range
            $"{good}-7,{account},+441,{new string('9', 5000)},2026-11-26T10:00:00Z,60,ANSWERED,", // huge field
            $"{good}-8,{NewId("nobody")},+441,+447700900123,2026-11-26T10:00:00Z,60,ANSWERED,", // unknown account
            $"{good}-9,{account},+441,+999999,2026-11-26T10:00:00Z,60,ANSWERED,",              // destination not rated
            $"{good}-10,{account},+441,+33145678901,2026-11-26T10:00:00Z,10,ANSWERED,",
            $"{good}-11,{account},+441,+447700900123,2026-11-26T10:00:00Z,-5,ANSWERED,",       // negative duration
            "\"unterminated,quote",
        };
        var result = await harness.IngestCsvAsync(Header + "\n" + string.Join('\n', lines) + "\n");

        Assert.Equal(12, result.Received);
        Assert.Equal(2, result.Accepted);
        Assert.Equal(0, result.Duplicates);
        Assert.Equal(10, result.Quarantined.Count);
        Assert.Equal(result.Received, result.Accepted + result.Duplicates + result.Quarantined.Count);
        Assert.Equal([3, 4, 5, 6, 7, 8, 9, 10, 12, 13], result.Quarantined.Select(q => q.Line).Order().ToArray());
        Assert.All(result.Quarantined, q => Assert.False(string.IsNullOrWhiteSpace(q.Reason)));

        var stored = await harness.Quarantine.ListAsync(null, 1000, default);
        Assert.True(stored.Count(q => q.Raw.Contains(good, StringComparison.Ordinal) || q.Raw.Contains("binary", StringComparison.Ordinal) || q.Raw.Contains("unterminated", StringComparison.Ordinal)) >= 10);
        Assert.Equal(1.025m, (await harness.StateAsync(account)).Totals.Values.Single().Total.Amount); // 1.00 + 0.15 × 10/60
    }

    [Fact]
    public async Task Post_paid_usage_lands_in_the_period_of_the_account_by_destination()
    {
        var harness = NewHarness();
        var account = await harness.OpenAsync(NewId("post"), Fixtures.Postpaid(1000m, hard: false, NewId("deck")), 0m);
        var run = NewId("c");
        var csv = $"""
            {Header}
            {run}-1,{account},+441,+447700900123,2026-11-26T10:00:00Z,61,ANSWERED,
            {run}-2,{account},+441,+447700900123,2026-11-26T11:00:00Z,30,ANSWERED,
            {run}-3,{account},+441,+33145678901,2026-11-26T12:00:00Z,20,ANSWERED,
            {run}-4,{account},+441,+33145678901,2026-10-31T23:30:00Z,60,ANSWERED,

            """;
        Assert.Equal(4, (await harness.IngestCsvAsync(csv)).Accepted);

        var totals = (await harness.StateAsync(account)).Totals;
        var november = totals["2026-11"];
        Assert.Equal(new UsageTotals(3, 200, 3.05m), november.Total);
        Assert.Equal(new UsageTotals(2, 180, 3.00m), november.ByDestination["United Kingdom"]);
        Assert.Equal(new UsageTotals(1, 20, 0.05m), november.ByDestination["France"]);
        Assert.Equal(new UsageTotals(1, 60, 0.15m), totals["2026-10"].Total); // 23:30 UTC on 31 Oct is still October in London (GMT)
    }
}
