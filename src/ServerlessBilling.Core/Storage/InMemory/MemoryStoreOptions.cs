using System.Globalization;

namespace ServerlessBilling.Core.Storage.InMemory;

/// <summary>
/// What the in-memory store keeps (section "Memory"). It is for tests, demos and trials: unlike SQLite and Cosmos it
/// bounds its session history, usage records and quarantine so that a long run does not grow without end.
/// </summary>
public sealed class MemoryStoreOptions : IValidatedOptions
{
    public const string Section = "Memory";

    static string IValidatedOptions.Section => Section;

    /// <summary>
    /// How long a session id and its history are kept after their last write, as Cosmos' session time to live
    /// (<c>Cosmos:SessionTimeToLiveSeconds</c>): a replay older than that is taken as a new call.
    /// </summary>
    public TimeSpan SessionHistoryRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How many closed sessions the history keeps; beyond it the longest closed is forgotten first (open sessions are
    /// never dropped by count, only by <see cref="SessionHistoryRetention"/>).
    /// </summary>
    public int MaxClosedSessions { get; set; } = 200_000;

    /// <summary>How many usage records are kept; beyond it the oldest recorded is dropped first.</summary>
    public int MaxUsageRecords { get; set; } = 1_000_000;

    /// <summary>How many quarantined CDRs are kept; beyond it the oldest received is dropped first.</summary>
    public int MaxQuarantineRecords { get; set; } = 100_000;

    /// <summary>
    /// How many account documents are kept as objects, the most recently used; the others are kept packed (their JSON,
    /// about a third of its size) and parsed again when next read. Accounts in use cost no parsing; the rest, their bytes.
    /// 0 keeps every document packed (the smallest and slowest). Monitoring's documents are kept the same way, as many of them.
    /// </summary>
    public int ParsedAccounts { get; set; } = 5_000;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (SessionHistoryRetention <= TimeSpan.Zero) errors.Add("Memory:SessionHistoryRetention must be positive");
        if (MaxClosedSessions < 1) errors.Add("Memory:MaxClosedSessions must be at least 1");
        if (MaxUsageRecords < 1) errors.Add("Memory:MaxUsageRecords must be at least 1");
        if (MaxQuarantineRecords < 1) errors.Add("Memory:MaxQuarantineRecords must be at least 1");
        if (ParsedAccounts < 0) errors.Add("Memory:ParsedAccounts must not be negative");
        return errors;
    }

    /// <summary>
    /// Why <see cref="SessionHistoryRetention"/> is too short for <paramref name="creditControl"/>, or null: an open
    /// session's entry must outlive <see cref="CreditControl.CreditControlOptions.LongestUnreportedSession"/> after a report.
    /// Each setting's own range is checked by its own section.
    /// </summary>
    public string? HistoryTooShortFor(CreditControl.CreditControlOptions creditControl)
    {
        ArgumentNullException.ThrowIfNull(creditControl);
        if (SessionHistoryRetention <= TimeSpan.Zero || creditControl.Validate().Count > 0 || SessionHistoryRetention >= creditControl.LongestUnreportedSession)
        {
            return null;
        }

        var longest = creditControl.LongestUnreportedSession;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"Memory:SessionHistoryRetention ({SessionHistoryRetention}) is shorter than a session may go unreported and still be terminated ({longest}: {CreditControl.CreditControlOptions.LongestUnreportedSessionSettings}), so such a terminate would find no session (404); keep it at least {longest}, or shorten CreditControl:ClosedSessionRetention");
    }

    /// <summary>One line for the host's start-up report.</summary>
    public string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"keeps the last {MaxUsageRecords:N0} usage records, {MaxClosedSessions:N0} closed sessions and {MaxQuarantineRecords:N0} quarantined CDRs, session ids for {SessionHistoryRetention}, the {ParsedAccounts:N0} most recently used accounts parsed and the rest packed");
}
