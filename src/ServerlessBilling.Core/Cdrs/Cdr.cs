using System.Text.Json.Serialization;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Cdrs;

/// <summary>A call detail record as the switch sent it, validated. <see cref="CdrId"/> is the idempotency key.</summary>
public sealed record Cdr(
    string CdrId,
    string AccountId,
    string CallingNumber,
    string CalledNumber,
    DateTimeOffset StartTime,
    int DurationSeconds,
    Disposition Disposition,
    string? SessionId)
{
    [JsonIgnore]
    public bool Answered => Disposition == Disposition.Answered;
}

/// <summary>A record that could not be read: where it was, what it said, and why it was refused.</summary>
public sealed record CdrRejection(int Line, string? CdrId, string? AccountId, string Reason, string Raw);

/// <summary>
/// One record of a CDR file or batch: a CDR, or its rejection. <see cref="Raw"/> is the text it came from, kept so that a
/// CDR refused later is quarantined as sent. A reader may keep it as a range of the batch it read (the batch's text, or its
/// UTF-8 bytes) rather than a string per line: the string is then made only when asked for, which is the rare quarantine
/// path. Equality compares <see cref="Raw"/> by its text, however it is kept.
/// </summary>
public readonly record struct CdrRecord
{
    // The raw text: a string (whole when _length is -1, else the range _start.._start+_length of it), or UTF-8 bytes (the range).
    private readonly object? _text;
    private readonly int _start;
    private readonly int _length;

    public CdrRecord(int Line, Cdr? Cdr, CdrRejection? Rejection, string? Raw = null)
    {
        this.Line = Line;
        this.Cdr = Cdr;
        this.Rejection = Rejection;
        (_text, _start, _length) = (Raw, 0, -1);
    }

    private CdrRecord(int line, Cdr cdr, object text, int start, int length)
    {
        (Line, Cdr, Rejection) = (line, cdr, null);
        (_text, _start, _length) = (text, start, length);
    }

    public int Line { get; init; }

    public Cdr? Cdr { get; init; }

    public CdrRejection? Rejection { get; init; }

    /// <summary>The text the record came from (made from the batch's text or bytes on each call when the reader kept a range).</summary>
    public string? Raw
    {
        get => _text switch
        {
            string whole when _length < 0 => whole,
            string text => text.Substring(_start, _length),
            byte[] utf8 => System.Text.Encoding.UTF8.GetString(utf8, _start, _length),
            _ => null,
        };
        init => (_text, _start, _length) = (value, 0, -1);
    }

    public static CdrRecord Accepted(int line, Cdr cdr, string raw) => new(line, cdr, null, raw);

    /// <summary>An accepted record whose raw text is <paramref name="length"/> characters of <paramref name="text"/> from <paramref name="start"/>.</summary>
    public static CdrRecord Accepted(int line, Cdr cdr, string text, int start, int length) => new(line, cdr, text, start, length);

    /// <summary>An accepted record whose raw text is <paramref name="length"/> UTF-8 bytes of <paramref name="utf8"/> from <paramref name="start"/> (invalid bytes read as U+FFFD).</summary>
    public static CdrRecord Accepted(int line, Cdr cdr, byte[] utf8, int start, int length) => new(line, cdr, utf8, start, length);

    public static CdrRecord Rejected(CdrRejection rejection) => new(rejection.Line, null, rejection, rejection.Raw);

    public void Deconstruct(out int Line, out Cdr? Cdr, out CdrRejection? Rejection, out string? Raw) =>
        (Line, Cdr, Rejection, Raw) = (this.Line, this.Cdr, this.Rejection, this.Raw);

    public bool Equals(CdrRecord other) =>
        Line == other.Line && Equals(Cdr, other.Cdr) && Equals(Rejection, other.Rejection) && string.Equals(Raw, other.Raw, StringComparison.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Line, Cdr, Rejection, Raw);
}
