using ServerlessBilling.Core.Accounts;

namespace ServerlessBilling.Core.Storage;

/// <summary>Every account: all ids for the jobs that visit them (the invoice run), and pages for the administrators' list.</summary>
public interface IAccountDirectory
{
    /// <summary>Every account id, in no particular order.</summary>
    IAsyncEnumerable<string> ListAccountIdsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// At most <paramref name="limit"/> accounts whose id sorts after <paramref name="after"/> (null: from the first),
    /// in ascending id order. A page is a key range, not a position, so accounts created between two pages never
    /// shift one already listed onto the next page twice. The order is the store's (ordinal for ASCII ids).
    /// </summary>
    Task<IReadOnlyList<AccountState>> ListPageAsync(string? after, int limit, CancellationToken cancellationToken);
}
