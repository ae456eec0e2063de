using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;

namespace ServerlessBilling.Testing;

/// <summary>
/// What every store must do, as one suite over a <see cref="StoreSet"/>: the ports' own contracts (accounts,
/// sessions, decks, top-ups, usage, quarantine) and the ledger invariants of credit control and ingestion run
/// through the services. A store's test project derives one class from this and supplies its store set; xunit
/// makes a new instance per test, so a store may hand out a fresh set each time or share one.
/// </summary>
public abstract partial class StoreContract
{
    protected abstract StoreSet Stores { get; }

    /// <summary>How many sessions race on one account; a slow emulator may ask for fewer.</summary>
    protected virtual int ConcurrentSessions => 200;

    /// <summary>A fresh id per test so that stores shared between tests do not interfere.</summary>
    protected static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private CreditControlHarness NewHarness(CreditControlOptions? options = null, AccountWriteOptions? writes = null) =>
        new(Stores.Accounts, Stores.Sessions, Stores.Decks, options, Stores.Usage, Stores.Quarantine, Stores.TopUps, writes: writes, clock: Stores.Clock);
}
