using Microsoft.Extensions.Options;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Money;

namespace ServerlessBilling.Local.Hosting;

/// <summary>A small demo data set so that a newcomer can call the API at once: one deck, a pre-paid and a post-paid account.</summary>
public sealed partial class DemoSeeder(AccountService accounts, IOptions<LocalOptions> options, ILogger<DemoSeeder> logger) : IHostedService
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

        var deck = await accounts.ImportDeckAsync(DeckId, new StringReader(DeckCsv), cancellationToken);
        var gbp = new Currency("GBP");
        var standardVat = new TaxSettings(TaxTreatment.Standard, 0.20m);
        var seeded = new[]
        {
            await accounts.UpsertAsync("smb", new AccountSettings("SMB Telecom", AccountMode.Prepaid, gbp, null, false, DeckId, 1, "Europe/London", standardVat), 100m, cancellationToken),
            await accounts.UpsertAsync("acme", new AccountSettings("Acme Ltd", AccountMode.Postpaid, gbp, 5000m, false, DeckId, 1, "Europe/London", standardVat), 0m, cancellationToken),
            await accounts.UpsertAsync("wholesale", new AccountSettings("Wholesale Partner", AccountMode.Postpaid, gbp, 1000m, true, DeckId, 1, "Europe/London", TaxSettings.None), 0m, cancellationToken),
        };

        // Say what the store holds now: on a durable store the accounts may exist already, with other balances.
        var states = string.Join(", ", seeded.Select(o => o.Answer is { } b
            ? $"{b.AccountId} ({(b.Mode == AccountMode.Prepaid ? "pre-paid" : "post-paid")}, balance {b.Balance} {b.Currency}{(b.CreditLimit is { } limit ? $", limit {limit}" : "")})"
            : $"not seeded: {o.Error?.Detail}"));
        LogSeeded(logger, DeckId, deck.Deck?.Rows.Count ?? 0, states);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data: deck '{DeckId}' ({Rows} rows); accounts {Accounts}")]
    private static partial void LogSeeded(ILogger logger, string deckId, int rows, string accounts);
}
