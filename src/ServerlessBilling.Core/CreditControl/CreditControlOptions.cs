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

    /// <summary>The longest validity: a day. The default grace doubles it, so a billion seconds would overflow into a negative grace.</summary>
    public const int MaxValiditySeconds = 24 * 3600;

    /// <summary>The longest retention of a lapsed session: a year (it is added to the session's time, which overflows near <see cref="TimeSpan.MaxValue"/>).</summary>
    public static readonly TimeSpan MaxClosedSessionRetention = TimeSpan.FromDays(365);

    /// <summary>The longest store deadline: an hour (a cancellation deadline throws beyond about 49.7 days, on every call).</summary>
    public static readonly TimeSpan MaxDeadline = TimeSpan.FromHours(1);

    /// <summary>How long a grant is valid before the switch must report (Diameter Validity-Time); at most <see cref="MaxValiditySeconds"/>.</summary>
    public int ValiditySeconds { get; set; } = 300;

    /// <summary>The longest <see cref="GraceSeconds"/>: a week, well past the default's most (2 × <see cref="MaxValiditySeconds"/>).</summary>
    public const int MaxGraceSeconds = 7 * 24 * 3600;

    /// <summary>Extra time after validity before the reservation is released (Tcc); default 2× validity; at most <see cref="MaxGraceSeconds"/>.</summary>
    public int? GraceSeconds { get; set; }

    /// <summary>
    /// The most <see cref="ClosedSessionsKept"/>: 1,000. A closed session is about 1 KB of the account document, which
    /// every credit-control step rewrites whole and which Cosmos DB holds to 2 MB; unbounded, a careless value let the
    /// document grow with every call until its writes failed.
    /// </summary>
    public const int MaxClosedSessionsKept = 1_000;

    /// <summary>
    /// How many terminated sessions each account document keeps (for replays and CDR matching without a second
    /// read); older ones are answered from the session history. Bounds the document's size and every step's cost;
    /// at most <see cref="MaxClosedSessionsKept"/>.
    /// </summary>
    public int ClosedSessionsKept { get; set; } = 100;

    /// <summary>
    /// The most <see cref="MaxOpenSessionsPerAccount"/>: 10,000. An open session is about 0.8 KB of the account document
    /// (measured as the Cosmos DB store serializes it, with a 50-character Call-ID), which every step rewrites whole.
    /// </summary>
    public const int MaxOpenSessionsPerAccountCap = 10_000;

    /// <summary>
    /// How many sessions of one account may be open (authorized, not yet terminated: holding a reservation, or lapsed
    /// and kept for <see cref="ClosedSessionRetention"/>) before a further authorize is denied (<c>CREDIT_LIMIT_REACHED</c>).
    /// Unbounded, an authorize asking 0 seconds opened a session that stayed two days, so a buggy or hostile switch could
    /// grow one account's document without end (on Cosmos DB, until its 2 MB item limit failed every write). The default,
    /// 2,000, keeps such a document near 1.6 MB there; at most <see cref="MaxOpenSessionsPerAccountCap"/>.
    /// </summary>
    /// <remarks>
    /// It bounds the open sessions' size as well: together they may take at most this many times
    /// <see cref="OpenSessionUnitBytes"/> of the document, so a session whose id is long, or holds characters the JSON
    /// escapes (non-ASCII, '+', '&lt;'), counts for more (a 256-character Call-ID about 1.7; 256 CJK characters about 6).
    /// </remarks>
    public int MaxOpenSessionsPerAccount { get; set; } = 2_000;

    /// <summary>
    /// The size of a usual open session in the account document (a Call-ID of up to about 60 plain characters), the unit
    /// of <see cref="MaxOpenSessionsPerAccount"/>. A session id is stored three times, escaped: counted by sessions alone,
    /// 2,000 of 256-character Call-IDs were 3 MB, of 256 CJK characters 10 MB, past Cosmos DB's 2 MB item limit.
    /// </summary>
    public const int OpenSessionUnitBytes = 850;

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

    /// <summary>The settings <see cref="LongestUnreportedSession"/> adds up, as a start-up error names them.</summary>
    public const string LongestUnreportedSessionSettings =
        "the larger of CreditControl:MaxQuotaSeconds and CreditControl:ValiditySeconds, plus CreditControl:GraceSeconds, plus CreditControl:ClosedSessionRetention";

    /// <summary>
    /// The longest a session may go without a report and still be terminated (and charged by its terminate): a grant's
    /// validity (<see cref="MaxQuotaSeconds"/> at most, <see cref="ValiditySeconds"/> at least), its grace, then
    /// <see cref="ClosedSessionRetention"/> lapsed in the account's document. A store's session history (which finds a
    /// session's account) must keep an open session's entry at least this long after a report, or such a terminate
    /// finds no session (404). Meaningful for valid settings only (see <see cref="Validate"/>).
    /// </summary>
    public TimeSpan LongestUnreportedSession => TimeSpan.FromSeconds(Math.Max(MaxQuotaSeconds, ValiditySeconds)) + ExpiryAfterValidity + ClosedSessionRetention;

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
        if (ValiditySeconds > MaxValiditySeconds)
        {
            errors.Add($"CreditControl:ValiditySeconds must be from 1 to {MaxValiditySeconds} (a day)");
        }

        if (GraceSeconds is < 0) errors.Add("CreditControl:GraceSeconds must not be negative");
        if (GraceSeconds > MaxGraceSeconds)
        {
            // Unbounded, a switch that never reports again (a crash, a lost terminate) held its reservation for decades.
            errors.Add($"CreditControl:GraceSeconds must be from 0 to {MaxGraceSeconds} (a week)");
        }

        errors.CheckRange("CreditControl:ClosedSessionsKept", ClosedSessionsKept, 1, MaxClosedSessionsKept, " (each is kept in the account document, which every step rewrites)");
        errors.CheckRange("CreditControl:MaxOpenSessionsPerAccount", MaxOpenSessionsPerAccount, 1, MaxOpenSessionsPerAccountCap, " (each open session is kept in the account document, which every step rewrites)");
        errors.CheckNotNegative("CreditControl:ClosedSessionRetention", ClosedSessionRetention, MaxClosedSessionRetention);
        errors.CheckPositive("CreditControl:StoreDeadline", StoreDeadline, MaxDeadline);
        errors.CheckPositive("CreditControl:BatchDeadline", BatchDeadline, MaxDeadline);
        errors.CheckPositive("CreditControl:AdminDeadline", AdminDeadline, MaxDeadline);
        return errors;
    }
}
