using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Testing;

/// <summary>
/// One store's implementation of every store port. A store joins the contract suites by supplying one of these
/// (see <see cref="StoreContract"/>); a new port is one more member here and one more argument in each store's class.
/// </summary>
public sealed record StoreSet(
    IAccountStore Accounts,
    ISessionIndex Sessions,
    IRateDeckStore Decks,
    IUsageStore Usage,
    IQuarantineStore Quarantine,
    ITopUpStore TopUps,
    IAlertStore Alerts,
    IMonitorStore Monitors,
    IAccountDirectory Directory)
{
    /// <summary>
    /// The clock the stores age their entries by, when it is a fake one: the contract's services then run on it too,
    /// so a test that moves time moves it for the stores as well. Null: the stores keep time on their own.
    /// </summary>
    public FakeTimeProvider? Clock { get; init; }
}
