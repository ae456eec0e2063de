using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Storage;

public sealed class InMemoryStoreContractTests : StoreContract
{
    protected override StoreSet Stores { get; } = new(
        new InMemoryAccountStore(),
        new InMemorySessionIndex(),
        new InMemoryRateDeckStore(),
        new InMemoryUsageStore(),
        new InMemoryQuarantineStore(),
        new InMemoryTopUpStore(),
        new InMemoryAlertStore(),
        new InMemoryMonitorStore());
}
