namespace ServerlessBilling.Core.CreditControl;

/// <summary>CCR-Initial: a call is being set up.</summary>
public sealed record AuthorizeRequest(
    string SessionId,
    string AccountId,
    string CallingNumber,
    string CalledNumber,
    DateTimeOffset? StartTime,
    int? RequestedSeconds)
{
    /// <summary>What makes a repeated authorize a replay rather than a reused session id.</summary>
    /// <remarks>The parts joined by '|', a missing one empty; written in one string, with no string per part.</remarks>
    public string Fingerprint
    {
        get
        {
            var text = new System.Runtime.CompilerServices.DefaultInterpolatedStringHandler(4, 5, System.Globalization.CultureInfo.InvariantCulture);
            text.AppendFormatted(AccountId);
            text.AppendLiteral("|");
            text.AppendFormatted(CallingNumber);
            text.AppendLiteral("|");
            text.AppendFormatted(CalledNumber);
            text.AppendLiteral("|");
            if (StartTime is { } start)
            {
                text.AppendFormatted(start.UtcTicks);
            }

            text.AppendLiteral("|");
            if (RequestedSeconds is { } requested)
            {
                text.AppendFormatted(requested);
            }

            return text.ToStringAndClear();
        }
    }
}

/// <summary>CCR-Update: <see cref="UsedSeconds"/> since the previous report, and a new grant asked for.</summary>
public sealed record InterimRequest(string SessionId, int RequestNumber, int UsedSeconds, int? RequestedSeconds);

/// <summary>
/// CCR-Terminate. A session never authorized here cannot be charged by terminate (anyone could charge any account
/// any amount that way): its CDR charges the call.
/// </summary>
public sealed record TerminateRequest(string SessionId, int RequestNumber, int UsedSeconds);

public sealed record TopUpRequest(string AccountId, string TopUpId, decimal Amount, string? Currency = null);
