namespace ServerlessBilling.Core.Storage;

/// <summary>
/// The store refused a write it will never accept as it is (a document larger than the store holds: Cosmos DB's 2 MB).
/// Not a fault to retry, nor a bug: the HTTP layer answers 507 (Insufficient Storage) naming the store and why, where an
/// unknown exception was a 500 with nothing said. Never a grant.
/// </summary>
public sealed class StoreRefusedException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The store that refused, in the words of the answer ("account store"); null when the thrower cannot tell.</summary>
    public string? Store { get; init; }
}
