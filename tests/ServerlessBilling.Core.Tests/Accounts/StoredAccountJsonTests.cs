using System.Text.Json;
using System.Text.Json.Nodes;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Accounts;

/// <summary>
/// Account documents already stored (SQLite, Cosmos DB) keep reading: Samples/account-document.json was written by the
/// code before the account document was restructured (sessions active, expired and terminated, top-ups, applied CDRs,
/// a closed period with late usage, a suspension after a waived one).
/// </summary>
public sealed class StoredAccountJsonTests
{
    private static readonly string Sample = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Accounts", "Samples", "account-document.json"));

    [Fact]
    public void A_stored_document_reads_to_the_state_it_was_written_from()
    {
        var account = JsonSerializer.Deserialize<AccountState>(Sample, StoredJson.Options)!;

        Assert.Equal("acme", account.AccountId);
        Assert.Equal(AccountStatus.Suspended, account.Status);
        Assert.Equal("2026-11", account.PolicyWaivedFor);
        Assert.Equal(18, account.Revision);
        Assert.Equal((100m, 62.5m, 2.545m, 159.955m), (account.OpeningBalance, account.TopUps, account.Committed, account.Balance));
        Assert.Equal(0.65m, account.Reserved);
        Assert.Equal(["s-3", "s-4", "s-5", "s-6"], account.Sessions.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(SessionStatus.Expired, account.Sessions["s-4"].Status);
        Assert.Equal(0.41m, account.Sessions["s-3"].TerminateAnswer!.Charge);
        Assert.Equal(["s-3", "s-5"], account.ClosedOrder);
        Assert.Equal(2, account.ClosedCount);
        Assert.Equal(["t-1", "t-2"], account.RecentTopUps.Select(t => t.TopUpId));
        Assert.Equal(["c-1", "c-2", "c-3"], account.AppliedCdrs);
        Assert.Equal(3, account.AppliedCount);
        Assert.Equal("2026-10", account.ClosedThrough);
        Assert.Equal(0.25m, account.Totals["2026-11"].Late["2026-10"].Total.Amount);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 11, 15, 0, TimeSpan.Zero), account.NextExpiry);
        Fixtures.AssertConserved(account);
    }

    [Fact]
    public void A_stored_document_written_again_is_the_same_document()
    {
        var account = JsonSerializer.Deserialize<AccountState>(Sample, StoredJson.Options)!;

        var written = JsonNode.Parse(JsonSerializer.Serialize(account, StoredJson.Options));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Sample), written), written!.ToJsonString());
    }

    [Fact]
    public void A_stored_document_written_again_has_its_properties_in_the_same_order()
    {
        // The parts are not nested in the JSON: every property keeps its name and place, so stores that compare or reuse
        // the written bytes (SQLite's partial writer) see the documents they always saw.
        var account = JsonSerializer.Deserialize<AccountState>(Sample, StoredJson.Options)!;

        using var written = JsonDocument.Parse(JsonSerializer.Serialize(account, StoredJson.Options));
        using var stored = JsonDocument.Parse(Sample);
        Assert.Equal(NamesOf(stored.RootElement), NamesOf(written.RootElement));
        foreach (var session in stored.RootElement.GetProperty("sessions").EnumerateObject())
        {
            // The sessions' order is the dictionary's (by hash), as it always was; each session's properties keep theirs.
            Assert.Equal(NamesOf(session.Value), NamesOf(written.RootElement.GetProperty("sessions").GetProperty(session.Name)));
        }
    }

    /// <summary>
    /// Samples/account-totals-document.json was written (compact, as the stores write it) by the build before the totals by
    /// destination became a flat table: three periods of ten destinations each (names with escapes and characters outside
    /// ASCII, in ordinal order), amounts of several scales, late usage of a closed period, top-ups; no sessions, whose order
    /// is the hash's. It reads back and is written again to the very same bytes, and packs and unpacks to them too.
    /// </summary>
    [Fact]
    public void A_stored_document_with_totals_by_destination_is_written_again_byte_for_byte()
    {
        var sample = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Accounts", "Samples", "account-totals-document.json"));
        var account = JsonSerializer.Deserialize<AccountState>(sample, StoredJson.Options)!;

        Assert.Equal(["2026-09", "2026-10", "2026-11"], account.Totals.Keys);
        Assert.Equal(10, account.Totals["2026-11"].ByDestination.Count);
        Assert.Equal(account.Totals["2026-11"].Total.Amount, account.Totals["2026-11"].ByDestination.Values.Sum(t => t.Amount));
        Assert.True(account.Totals["2026-10"].ByDestination.ContainsKey("Côte d'Ivoire"));
        Assert.Equal(sample, JsonSerializer.Serialize(account, StoredJson.Options));

        var packer = new ServerlessBilling.Core.Storage.InMemory.PackedAccount();
        Assert.Equal(sample, JsonSerializer.Serialize(packer.Unpack(packer.Pack(account, 7)).Account, StoredJson.Options));
    }

    /// <summary>
    /// Samples/account-totals-document-after.json is what the build before the flat table wrote after adding these 150
    /// charges (new destinations and known ones, two open periods, amounts of several scales) to the document above read back.
    /// </summary>
    [Fact]
    public void Charges_added_to_a_stored_document_write_what_the_totals_before_the_flat_table_wrote()
    {
        var samples = Path.Combine(AppContext.BaseDirectory, "Accounts", "Samples");
        var account = JsonSerializer.Deserialize<AccountState>(File.ReadAllText(Path.Combine(samples, "account-totals-document.json")), StoredJson.Options)!;
        var november = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
        string[] more = ["France", "Bhutan", "Côte d'Ivoire", "aa", "Zz"];
        for (var i = 0; i < 150; i++)
        {
            var amount = new decimal(i * 7919 % 100_000, 0, 0, false, (byte)(i % 5));
            account = account.Commit(new ChargeLine(amount, i * 11 % 3600, i % 5 == 0 ? 0 : 1, more[i % more.Length], november.AddDays(-(i % 40))), november);
        }

        Assert.Equal(File.ReadAllText(Path.Combine(samples, "account-totals-document-after.json")), JsonSerializer.Serialize(account, StoredJson.Options));
    }

    private static List<string> NamesOf(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
