namespace ServerlessBilling.Core.CreditControl;

/// <summary>Tunables of credit control; bound from configuration section "CreditControl" (the write retries there are <see cref="Accounts.AccountWriteOptions"/>).</summary>
public sealed class CreditControlOptions : IValidatedOptions
{
    public const string Section = "CreditControl";

    static string IValidatedOptions.Section => Section;

    /// <summary>Seconds granted when the switch does not ask for an amount.</summary>
    public int DefaultQuotaSeconds { get; set; } = 300;

    /// <summary>
    /// The largest grant, whatever is asked: limits what one session can hold. At most <see cref="Validation.Bounds.MaxReportSeconds"/>
    /// (a day): a grant the switch uses must fit in one report, and the grant's arithmetic stays within an int.
    /// </summary>
    public int MaxQuotaSeconds { get; set; } = 3600;

    /// <summary>How long a grant is valid before the switch must report (Diameter Validity-Time).</summary>
    public int ValiditySeconds { get; set; } = 300;

    /// <summary>Extra time after validity before the reservation is released (Tcc); default 2× validity.</summary>
    public int? GraceSeconds { get; set; }

    /// <summary>
    /// How many terminated sessions each account document keeps (for replays and CDR matching without a second
    /// read); older ones are answered from the session history. Bounds the document's size and every step's cost.
    /// </summary>
    public int ClosedSessionsKept { get; set; } = 100;

    /// <summary>How long an expired, never-terminated session stays in the account before the sweep drops it.</summary>
    public TimeSpan ClosedSessionRetention { get; set; } = TimeSpan.FromDays(2);

    /// <summary>
    /// How long authorize, interim and terminate may wait on the store before answering 503 (Diameter's Tx timer
    /// is the model: a switch waiting longer gives up anyway). Never a grant after it.
    /// </summary>
    public TimeSpan StoreDeadline { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long an administration call on one account (create or change it, top up, suspend, resume) may wait on the
    /// store before answering 503. Each is safe to repeat: a top-up by its topUpId, the others by their result.
    /// </summary>
    public TimeSpan AdminDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one batch of work (a CDR batch, a sweep) may wait on the store before it fails and is retried.</summary>
    public TimeSpan BatchDeadline { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan ExpiryAfterValidity => TimeSpan.FromSeconds(GraceSeconds ?? (2 * ValiditySeconds));

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (DefaultQuotaSeconds < 1) errors.Add("CreditControl:DefaultQuotaSeconds must be at least 1");
        if (MaxQuotaSeconds < DefaultQuotaSeconds) errors.Add("CreditControl:MaxQuotaSeconds must be at least DefaultQuotaSeconds");
        if (MaxQuotaSeconds > Validation.Bounds.MaxReportSeconds)
        {
            errors.Add($"CreditControl:MaxQuotaSeconds must be at most {Validation.Bounds.MaxReportSeconds} (a report carries at most 24 hours of use)");
        }

        if (ValiditySeconds < 1) errors.Add("CreditControl:ValiditySeconds must be at least 1");
        if (GraceSeconds is < 0) errors.Add("CreditControl:GraceSeconds must not be negative");
        if (ClosedSessionsKept < 1) errors.Add("CreditControl:ClosedSessionsKept must be at least 1");
        if (StoreDeadline <= TimeSpan.Zero) errors.Add("CreditControl:StoreDeadline must be positive");
        if (BatchDeadline <= TimeSpan.Zero) errors.Add("CreditControl:BatchDeadline must be positive");
        if (AdminDeadline <= TimeSpan.Zero) errors.Add("CreditControl:AdminDeadline must be positive");
        return errors;
    }
}
