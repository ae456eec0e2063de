using ServerlessBilling.Core.Accounts;

namespace ServerlessBilling.Core.Storage;

/// <summary>Top-up history, partition by account. A top-up id recorded once is recognised for ever.</summary>
public interface ITopUpStore
{
    /// <summary>The recorded top-up with that id on the account, or null.</summary>
    Task<TopUpRecord?> FindAsync(string accountId, string topUpId, CancellationToken cancellationToken);

    /// <summary>Creates the record; false when that id is recorded already.</summary>
    Task<bool> TryCreateAsync(TopUpRecord record, CancellationToken cancellationToken);
}
