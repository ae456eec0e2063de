using Microsoft.Extensions.Options;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Money;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Local.Hosting;

/// <summary>
/// A small demo data set so that a newcomer can call the API at once: one deck, a pre-paid and a post-paid account.
/// On a durable store it creates only what is missing, so a restart never resets a balance or a changed deck.
/// </summary>
public sealed partial class DemoSeeder(AccountService accounts, IRateDeckStore decks, IOptions<LocalOptions> options, ILogger<DemoSeeder> logger) : IHostedService
{
    public const string DeckId = "demo";

    public const string DeckCsv = """
        prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to
        44,United Kingdom,0.0100,0,60,60,,
        447,United Kingdom Mobile,0.0400,0,30,6,,
        4420,United Kingdom London,0.0080,0,30,6,2026-01-01,
        33,France,0.0150,0,60,60,,
        336,France Mobile,0.2400,0.0100,30,6,,
        1,United States and Canada,0.0050,0,6,6,,
        """;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SeedDemo)
        {
            return;
        }

        var created = new List<string>();
        if (await decks.GetAsync(DeckId, cancellationToken) is null)
        {
            await accounts.ImportDeckAsync(DeckId, new StringReader(DeckCsv), cancellationToken);
            created.Add($"deck '{DeckId}'");
        }

        var gbp = new Currency("GBP");
        var standardVat = new TaxSettings(TaxTreatment.Standard, 0.20m);
        (string Id, AccountSettings Settings, decimal Opening)[] demo =
        [
            ("smb", new AccountSettings("SMB Telecom", AccountMode.Prepaid, gbp, null, false, DeckId, 1, "Europe/London", standardVat), 100m),
            ("acme", new AccountSettings("Acme Ltd", AccountMode.Postpaid, gbp, 5000m, false, DeckId, 1, "Europe/London", standardVat), 0m),
            ("wholesale", new AccountSettings("Wholesale Partner", AccountMode.Postpaid, gbp, 1000m, true, DeckId, 1, "Europe/London", TaxSettings.None), 0m),
        ];
        foreach (var (id, settings, opening) in demo)
        {
            if (await accounts.GetBalanceAsync(id, cancellationToken) is null)
            {
                await accounts.UpsertAsync(id, settings, opening, cancellationToken);
                created.Add(id);
            }
        }

        if (created.Count > 0)
        {
            LogSeeded(logger, string.Join(", ", created));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded the missing demo data: {Created} (smb: pre-paid, 100 GBP; acme: post-paid; wholesale: post-paid, hard limit 1000 GBP)")]
    private static partial void LogSeeded(ILogger logger, string created);
}
