using ServerlessBilling.Api.Contracts;

namespace ServerlessBilling.Local.Commands.Simulate;

/// <summary>One account the simulator creates: its settings and its share of the calls.</summary>
/// <param name="Name">The id suffix: the account id is <c>{prefix}-{Name}</c>.</param>
/// <param name="CallWeight">Its share of the live calls (0: none).</param>
/// <param name="TopUp">Pre-paid: what a customer tops up when calls are denied for credit (0: never).</param>
public sealed record SimulatedAccount(string Name, AccountBody Settings, int CallWeight, decimal TopUp = 0m)
{
    public const string Currency = "GBP";
    public const string Runaway = "runaway";
    public const string Billed = "billed";
    public const decimal RunawayLimit = 5_000m;
    public const decimal RunawaySpend = 12_000m;
    public const decimal RunawaySuspendAt = 1.2m;

    public bool Prepaid => Settings.Mode == "prepaid";

    public decimal OpeningBalance => Settings.InitialBalance ?? 0m;

    /// <summary>The accounts of a run: both modes, small pre-paid balances, a hard limit, and the runaway.</summary>
    public static IReadOnlyList<SimulatedAccount> All(bool invoice)
    {
        List<SimulatedAccount> accounts =
        [
            PrepaidAccount("pre-1", "Corner Shop Calls", 2m, weight: 12),
            PrepaidAccount("pre-2", "Student Line", 5m, weight: 12),
            PrepaidAccount("pre-3", "Travel SIM", 20m, weight: 12),
            PrepaidAccount("pre-4", "Family Plan", 50m, weight: 12),
            PostpaidAccount("post-1", "Acme Logistics", 500m, hardLimit: false, weight: 20),
            PostpaidAccount("post-2", "Capped Trunk", 3m, hardLimit: true, weight: 12),
            PostpaidAccount("post-3", "Northwind Call Centre", 1_000m, hardLimit: false, weight: 15),
            new(Runaway, PostpaidBody("Runaway PBX", RunawayLimit, hardLimit: false, new MonitoringBody([0.5m, 0.8m, 1.0m], RunawaySuspendAt)), CallWeight: 5),
        ];
        if (invoice)
        {
            accounts.Add(new(Billed, PostpaidBody("Billed Last Month", 1_000m, hardLimit: false, null), CallWeight: 0));
        }

        return accounts;
    }

    private static SimulatedAccount PrepaidAccount(string name, string display, decimal balance, int weight) =>
        new(name, new AccountBody(display, "prepaid", Currency, null, null, balance, SimulatorDeck.DeckId, 1, "Etc/UTC", new TaxBody("standard", 0.20m)),
            weight, TopUp: balance);

    private static SimulatedAccount PostpaidAccount(string name, string display, decimal limit, bool hardLimit, int weight) =>
        new(name, PostpaidBody(display, limit, hardLimit, null), weight);

    private static AccountBody PostpaidBody(string display, decimal limit, bool hardLimit, MonitoringBody? monitoring) =>
        new(display, "postpaid", Currency, limit, hardLimit, 0m, SimulatorDeck.DeckId, 1, "Etc/UTC", new TaxBody("standard", 0.20m), monitoring);
}
