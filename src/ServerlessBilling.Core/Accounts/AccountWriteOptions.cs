namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// How the one conditional write of an account document (<see cref="AccountUpdater"/>) retries, for every service
/// that writes accounts. Bound from section "CreditControl", where these settings have always been documented.
/// </summary>
public sealed class AccountWriteOptions : IValidatedOptions
{
    public const string Section = CreditControl.CreditControlOptions.Section;

    static string IValidatedOptions.Section => Section;

    /// <summary>How many times a step is retried when another writer changed the account first.</summary>
    public int MaxConcurrencyRetries { get; set; } = 50;

    /// <summary>
    /// Queue this process's writers per account before the conditional write, so that they do not collide
    /// (on by default; the ETag still arbitrates between processes, and for a writer that queued longer than
    /// <see cref="AccountUpdater.MaxQueueWait"/>). Off, every writer races on the ETag alone.
    /// </summary>
    public bool SerializeWritersInProcess { get; set; } = true;

    public IReadOnlyList<string> Validate() =>
        MaxConcurrencyRetries < 1 ? ["CreditControl:MaxConcurrencyRetries must be at least 1"] : [];
}
