using System.Globalization;
using System.Text;
using ServerlessBilling.LoadBench.Stores;

namespace ServerlessBilling.LoadBench.Ingest;

/// <summary>The accounts of the ingest scenario: even ids pre-paid, odd ids post-paid (soft limit), both on the bench deck.</summary>
internal static class IngestAccounts
{
    public const decimal PrepaidOpening = 1_000_000_000m;
    public const decimal PostpaidLimit = 1_000_000_000m;

    public static readonly Currency Gbp = new("GBP");

    public static string[] Ids(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{prefix}{i:D4}")).ToArray();

    public static bool IsPrepaid(int index) => index % 2 == 0;

    public static AccountSettings Settings(int index) => IsPrepaid(index)
        ? new AccountSettings("Ingest bench pre-paid", AccountMode.Prepaid, Gbp, null, false, IngestDeck.DeckId, 1, "Europe/London", TaxSettings.None)
        : new AccountSettings("Ingest bench post-paid", AccountMode.Postpaid, Gbp, PostpaidLimit, false, IngestDeck.DeckId, 1, "Europe/London", new TaxSettings(TaxTreatment.Standard, 0.20m));

    public static decimal Opening(int index) => IsPrepaid(index) ? PrepaidOpening : 0m;

    /// <summary>Opens <paramref name="ids"/>, even indexes pre-paid, odd ones post-paid.</summary>
    public static Task OpenAsync(AccountService admin, IReadOnlyList<string> ids, int parallel, CancellationToken cancellationToken) =>
        BenchAdmin.OpenAsync(admin, ids, i => (Settings(i), Opening(i)), parallel, cancellationToken);

    /// <summary>The body of PUT /api/accounts/{id} for the account of that index.</summary>
    public static byte[] PutBody(int index) => Encoding.UTF8.GetBytes(IsPrepaid(index)
        ? string.Create(CultureInfo.InvariantCulture, $$$"""{"name":"Ingest bench pre-paid","mode":"prepaid","currency":"GBP","initialBalance":{{{PrepaidOpening}}},"rateDeckId":"{{{IngestDeck.DeckId}}}","billingDay":1,"timeZone":"Europe/London","tax":{"treatment":"exempt"}}""")
        : string.Create(CultureInfo.InvariantCulture, $$$"""{"name":"Ingest bench post-paid","mode":"postpaid","currency":"GBP","creditLimit":{{{PostpaidLimit}}},"hardLimit":false,"initialBalance":0,"rateDeckId":"{{{IngestDeck.DeckId}}}","billingDay":1,"timeZone":"Europe/London","tax":{"treatment":"standard","rate":0.2}}"""));
}
