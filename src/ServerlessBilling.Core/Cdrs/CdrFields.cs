using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Cdrs;

/// <summary>
/// The fields of one CDR, validated, as spans over the text they were read from (trimmed), so that a caller
/// that only rates the call (the <c>rate</c> command) allocates nothing; <see cref="ToCdr"/> makes the record.
/// After a rejection only <see cref="CdrId"/> and <see cref="AccountId"/> are set: the ids as far as they can
/// be told from the bad line (empty when they cannot), for its quarantine record.
/// </summary>
public readonly ref struct CdrFields
{
    public ReadOnlySpan<char> CdrId { get; init; }

    public ReadOnlySpan<char> AccountId { get; init; }

    public ReadOnlySpan<char> CallingNumber { get; init; }

    public ReadOnlySpan<char> CalledNumber { get; init; }

    public DateTimeOffset StartTime { get; init; }

    public int DurationSeconds { get; init; }

    public Disposition Disposition { get; init; }

    /// <summary>Empty when the CDR has no session id.</summary>
    public ReadOnlySpan<char> SessionId { get; init; }

    public Cdr ToCdr() => ToCdr(null);

    /// <summary>The record, with the account id from <paramref name="strings"/> (one string per account of a batch) when given.</summary>
    public Cdr ToCdr(CdrStrings? strings) => new(
        CdrId.ToString(),
        strings is null ? AccountId.ToString() : strings.Get(AccountId),
        CallingNumber.ToString(),
        CalledNumber.ToString(),
        StartTime,
        DurationSeconds,
        Disposition,
        SessionId.IsEmpty ? null : SessionId.ToString());
}
