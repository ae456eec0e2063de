using System.Text;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// Round twenty-two of the hostile review: CDR files that are not UTF-8 (a switch that writes Windows-1252). A byte
/// that is not UTF-8 is read as U+FFFD, so ids that differ only in such a byte became one id.
/// </summary>
public sealed class HostileRoundTwentyTwoIngestionTests
{
    private const string Account = "acme";

    private static async Task<CreditControlHarness> CreateAsync()
    {
        var harness = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        await harness.OpenAsync(Account, Fixtures.Postpaid(1000m, hard: false), 0m);
        return harness;
    }

    /// <summary>The batch as a switch writing Windows-1252 sends it: é is the byte E9, è is E8 (neither is UTF-8 on its own).</summary>
    private static Task<IngestResult> IngestWindows1252Async(CreditControlHarness harness, string lines)
    {
        var bytes = Encoding.Latin1.GetBytes($"{Fixtures.CdrHeader}\n{lines}");
        return harness.Ingestion.IngestAsync(CdrBatchReader.Read(bytes).Records, "test", default);
    }

    [Fact]
    public async Task Two_cdrs_whose_ids_differ_only_in_a_byte_that_is_not_utf8_are_quarantined_not_taken_for_one()
    {
        // Every id was read as "appel-\uFFFD-1": the first call was charged under an id it does not have, and the others
        // were quarantined as conflicts with it (or, were their content the same, answered as its duplicates and never
        // charged), in the same batch or in a later one. No such id can be told from the others, so none is charged.
        var harness = await CreateAsync();

        var first = await IngestWindows1252Async(harness, $"appel-é-1,{Account},+441234,+33145678901,2026-11-26T09:00:00Z,60,ANSWERED,\nappel-è-1,{Account},+441234,+33145678901,2026-11-26T09:05:00Z,60,ANSWERED,\n");
        var later = await IngestWindows1252Async(harness, $"appel-à-1,{Account},+441234,+33145678901,2026-11-26T09:10:00Z,60,ANSWERED,\n");

        Assert.Equal((2, 0, 0, 2), (first.Received, first.Accepted, first.Duplicates, first.Quarantined.Count));
        Assert.Equal((1, 0, 0, 1), (later.Received, later.Accepted, later.Duplicates, later.Quarantined.Count));
        Assert.All(first.Quarantined.Concat(later.Quarantined), q => Assert.Contains("cdr_id is not valid UTF-8", q.Reason, StringComparison.Ordinal));
        Assert.Equal(0m, (await harness.StateAsync(Account)).Committed);
    }

    [Fact]
    public async Task A_cdr_whose_session_id_is_not_utf8_does_not_charge_again_the_call_its_terminate_charged()
    {
        // The session "call-é" was authorized and terminated (charged 1.00). Its CDR, in Windows-1252, named "call-\uFFFD",
        // a session not known here, and charged the call a second time from the CDR.
        var harness = await CreateAsync();
        var grant = await harness.CreditControl.AuthorizeAsync(new AuthorizeRequest("call-é", Account, "+441234", "+441234567", Fixtures.Now, 60), default);
        Assert.Equal(ResultCode.Success, grant.Answer!.ResultCode);
        Assert.Equal(1.00m, (await harness.TerminateAsync("call-é", 1, 60)).Answer!.Charge);

        var result = await IngestWindows1252Async(harness, $"c-1,{Account},+441234,+441234567,{Fixtures.Now:yyyy-MM-ddTHH:mm:ssZ},60,ANSWERED,call-é\n");

        Assert.Equal(0, result.Accepted);
        Assert.Contains("session_id is not valid UTF-8", Assert.Single(result.Quarantined).Reason, StringComparison.Ordinal);
        Assert.Equal(1.00m, (await harness.StateAsync(Account)).Committed);
    }

    [Fact]
    public async Task A_cdr_whose_account_id_is_not_utf8_is_quarantined_naming_the_encoding()
    {
        var harness = await CreateAsync();

        var result = await IngestWindows1252Async(harness, "c-1,société,+441234,+441234567,2026-11-26T09:00:00Z,60,ANSWERED,\n");

        Assert.Contains("account_id is not valid UTF-8", Assert.Single(result.Quarantined).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ids_in_utf8_with_accents_are_taken_as_they_are()
    {
        var harness = await CreateAsync();
        var csv = Encoding.UTF8.GetBytes($"{Fixtures.CdrHeader}\nappel-é-1,{Account},+441234,+33145678901,2026-11-26T09:00:00Z,60,ANSWERED,\nappel-è-1,{Account},+441234,+33145678901,2026-11-26T09:05:00Z,60,ANSWERED,\n");

        var result = await harness.Ingestion.IngestAsync(CdrBatchReader.Read(csv).Records, "test", default);

        Assert.Equal(2, result.Accepted);
    }

    [Fact]
    public async Task A_cdr_id_sent_for_two_accounts_in_one_batch_is_charged_to_the_first_and_the_other_copy_is_quarantined()
    {
        // A switch that attributed a call to the wrong account and sent the corrected copy in the same export: both copies
        // were charged, the call to two accounts. The id is the CDR's; a copy naming another account is other content.
        var harness = await CreateAsync();
        await harness.OpenAsync("other", Fixtures.Postpaid(1000m, hard: false), 0m);
        const string Call = "+441234567,2026-11-26T09:00:00Z,60,ANSWERED,";

        var result = await harness.IngestCsvAsync($"{Fixtures.CdrHeader}\nc-1,{Account},+441234,{Call}\nc-1,other,+441234,{Call}\nc-1,{Account},+441234,{Call}\nc-2,other,+441234,{Call}\n");

        Assert.Equal((4, 2, 1), (result.Received, result.Accepted, result.Duplicates));
        var conflict = Assert.Single(result.Quarantined);
        Assert.Equal(("c-1", 3), (conflict.CdrId, conflict.Line));
        Assert.Contains("account 'acme'", conflict.Reason, StringComparison.Ordinal);
        Assert.Equal((1.00m, 1.00m), ((await harness.StateAsync(Account)).Committed, (await harness.StateAsync("other")).Committed));
    }
}
