using ServerlessBilling.Core;
using ServerlessBilling.Core.CreditControl;

namespace ServerlessBilling.Cosmos;

/// <summary>Cosmos DB settings (section "Cosmos"). With no key, the managed identity (Entra ID) is used.</summary>
public sealed class CosmosOptions
{
    public const string Section = "Cosmos";

    /// <summary>Account endpoint, e.g. https://acct.documents.azure.com:443/ or the local emulator https://127.0.0.1:8081/.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Account key: for emulators and development only. Leave empty in Azure (identity-based access).</summary>
    public string? Key { get; set; }

    /// <summary>Client id of a user-assigned managed identity; empty for the system-assigned one or developer credentials.</summary>
    public string? ManagedIdentityClientId { get; set; }

    public string Database { get; set; } = "billing";

    public string AccountsContainer { get; set; } = "accounts";

    public string SessionsContainer { get; set; } = "sessions";

    public string RateDecksContainer { get; set; } = "ratedecks";

    public string UsageContainer { get; set; } = "usage";

    public string QuarantineContainer { get; set; } = "quarantine";

    public string TopUpsContainer { get; set; } = "topups";

    /// <summary>Raised alerts, partition /accountId.</summary>
    public string AlertsContainer { get; set; } = "alerts";

    /// <summary>Monitoring's per-account documents, partition /accountId.</summary>
    public string MonitorsContainer { get; set; } = "monitors";

    /// <summary>The change feed processor's leases (monitoring reads the accounts container's feed).</summary>
    public string LeasesContainer { get; set; } = "leases";

    /// <summary>How often the monitoring change feed is polled when idle, in milliseconds (the Functions trigger's default is 5 s).</summary>
    public int MonitoringPollMilliseconds { get; set; } = 200;
    /// <summary>Issued invoices and statements (partition /accountId).</summary>
    public string InvoicesContainer { get; set; } = "invoices";

    /// <summary>Invoice-number counters, one small document per series and year (partition /id).</summary>
    public string CountersContainer { get; set; } = "counters";

    /// <summary>Gateway (HTTPS, works everywhere, the emulator) or Direct (TCP, lower latency in Azure).</summary>
    public string ConnectionMode { get; set; } = "Gateway";

    /// <summary>Create the database and containers at start (emulators, development). In Azure, Bicep creates them.</summary>
    public bool CreateIfNotExists { get; set; }

    /// <summary>Accept the self-signed certificate of a local emulator; honoured only for loopback endpoints.</summary>
    public bool AcceptLoopbackCertificate { get; set; }

    /// <summary>
    /// The shortest <see cref="SessionTimeToLiveSeconds"/>: a day, the longest grant's validity (an open call's entry is
    /// written again only when an interim finds it past half its time to live). Cosmos DB refuses 0 and negative values
    /// (but -1, which never expires) when the container is made, with a message that names no setting.
    /// </summary>
    public const int MinSessionTimeToLiveSeconds = 24 * 3600;

    /// <summary>The longest <see cref="SessionTimeToLiveSeconds"/>: a year, as the longest closed-session retention.</summary>
    public const int MaxSessionTimeToLiveSeconds = 365 * 24 * 3600;

    /// <summary>Cosmos DB's time to live that never expires: the session history kept for good (the index then writes no keep-alive).</summary>
    public const int NeverExpires = -1;

    /// <summary>
    /// How long session-index entries live (seconds), from <see cref="MinSessionTimeToLiveSeconds"/> to
    /// <see cref="MaxSessionTimeToLiveSeconds"/>, or <see cref="NeverExpires"/>.
    /// </summary>
    public int SessionTimeToLiveSeconds { get; set; } = CosmosSessionIndex.DefaultTimeToLiveSeconds;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoint);

    /// <summary>What an account document may give its sessions: Cosmos DB's 2 MB item limit, less room for the rest of it.</summary>
    public const int SessionRoomBytes = 1_900_000;

    /// <summary>A usual closed session kept (a 50-character Call-ID, an interim and a terminate): 1.4 KB, measured.</summary>
    public const int ClosedSessionBytes = 1_400;

    /// <summary>
    /// Why the credit-control settings let one account document pass Cosmos DB's item limit, or null when they do not:
    /// the open sessions (<see cref="CreditControlOptions.MaxOpenSessionsPerAccount"/>, bounded by their size) and the
    /// closed ones kept (<see cref="CreditControlOptions.ClosedSessionsKept"/>) are in the one document every step
    /// rewrites. Each setting within its own range, both near their tops (2,000 and 1,000) made about 3 MB.
    /// </summary>
    public static string? SessionsFit(CreditControlOptions creditControl)
    {
        ArgumentNullException.ThrowIfNull(creditControl);
        var bytes = ((long)creditControl.MaxOpenSessionsPerAccount * CreditControlOptions.OpenSessionUnitBytes) + ((long)creditControl.ClosedSessionsKept * ClosedSessionBytes);
        return bytes <= SessionRoomBytes
            ? null
            : FormattableString.Invariant(
                $"CreditControl:MaxOpenSessionsPerAccount ({creditControl.MaxOpenSessionsPerAccount}) and CreditControl:ClosedSessionsKept ({creditControl.ClosedSessionsKept}) let an account document hold {bytes:N0} bytes of sessions, past what Cosmos DB's 2 MB item holds (every write of such an account fails): keep MaxOpenSessionsPerAccount x {CreditControlOptions.OpenSessionUnitBytes} + ClosedSessionsKept x {ClosedSessionBytes} within {SessionRoomBytes:N0}");
    }

    /// <summary>
    /// Why <see cref="SessionTimeToLiveSeconds"/> is too short for <paramref name="creditControl"/>, or null. The index
    /// writes an open call's entry again only once a report finds it past half its time to live, so at a call's last
    /// report the entry may already be that old: <see cref="CreditControlOptions.LongestUnreportedSession"/> must fit in
    /// the other half, or a terminate that late finds no session (404). Each setting's own range is checked on its own.
    /// </summary>
    public string? HistoryTooShortFor(CreditControlOptions creditControl)
    {
        ArgumentNullException.ThrowIfNull(creditControl);
        if (SessionTimeToLiveSeconds is < MinSessionTimeToLiveSeconds or > MaxSessionTimeToLiveSeconds || creditControl.Validate().Count > 0)
        {
            return null; // never expires (-1), or out of its range (its own error says so)
        }

        var longest = creditControl.LongestUnreportedSession;
        var needed = (long)Math.Ceiling(2 * longest.TotalSeconds);

        // Past the longest time to live taken (a closed-session retention over about half a year), only -1 is long enough.
        var remedy = needed <= MaxSessionTimeToLiveSeconds
            ? FormattableString.Invariant($"keep it at least {needed}, or shorten CreditControl:ClosedSessionRetention")
            : FormattableString.Invariant($"no time to live up to its longest ({MaxSessionTimeToLiveSeconds}) is enough: set it to {NeverExpires} (never expires), or shorten CreditControl:ClosedSessionRetention");
        return SessionTimeToLiveSeconds >= needed
            ? null
            : FormattableString.Invariant(
                $"Cosmos:SessionTimeToLiveSeconds ({SessionTimeToLiveSeconds}) is less than twice the longest a session may go unreported and still be terminated ({longest}: {CreditControlOptions.LongestUnreportedSessionSettings}; an open call's entry is written again only once a report finds it past half its time to live), so such a terminate would find no session (404); {remedy}");
    }

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            errors.Add("Cosmos:Endpoint must be an absolute https URL");
        }

        if (ConnectionMode is not ("Gateway" or "Direct"))
        {
            errors.Add("Cosmos:ConnectionMode must be Gateway or Direct");
        }

        if (MonitoringPollMilliseconds is < 10 or > 60_000)
        {
            errors.Add("Cosmos:MonitoringPollMilliseconds must be from 10 to 60000");
        }

        if (SessionTimeToLiveSeconds != NeverExpires)
        {
            errors.CheckRange("Cosmos:SessionTimeToLiveSeconds", SessionTimeToLiveSeconds, MinSessionTimeToLiveSeconds, MaxSessionTimeToLiveSeconds, " (a day to a year); or -1, never expires");
        }

        if (string.IsNullOrWhiteSpace(Database))
        {
            errors.Add("Cosmos:Database is required");
        }

        return errors;
    }
}
