namespace ServerlessBilling.Core.Storage;

/// <summary>
/// The store could not be reached or kept throttling after retries. Never a business answer: the HTTP
/// layer maps it to 503 so a switch does not take it as a grant.
/// </summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
