namespace ServerlessBilling.Core.Storage;

/// <summary>
/// The store could not be reached or kept throttling after retries. Never a business answer: the HTTP
/// layer maps it to 503 so a switch does not take it as a grant.
/// </summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>
    /// The store that failed, in the words the 503 answer uses ("rate-deck store", "usage store"); null when the
    /// thrower cannot tell which (a deadline over a use case that reads several stores), and the answer says "a store".
    /// </summary>
    public string? Store { get; init; }

    /// <summary>
    /// The store did not answer within a deadline (<see cref="StoreDeadline"/>), rather than answering with a fault: a
    /// loop over many items stops at it instead of waiting the deadline out on every item.
    /// </summary>
    public bool DeadlinePassed { get; init; }
}
