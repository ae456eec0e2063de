using System.Globalization;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Cdrs;

/// <summary>The validation rules of a CDR, shared by the CSV and the JSON reader.</summary>
public static class CdrValidation
{
    public const int MaxCallingNumberLength = 64;
    public const int MaxDurationSeconds = Validation.Bounds.MaxCallSeconds;
    public const int MaxRawLength = 4096;

    public static readonly DateTimeOffset EarliestStart = Validation.Bounds.EarliestTime;
    public static readonly DateTimeOffset LatestStart = Validation.Bounds.LatestTime;

    private static readonly string[] StartTimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>Builds a CDR from its field texts, or says why it cannot be one.</summary>
    public static Cdr? TryBuild(
        ReadOnlySpan<char> cdrId,
        ReadOnlySpan<char> accountId,
        ReadOnlySpan<char> callingNumber,
        ReadOnlySpan<char> calledNumber,
        ReadOnlySpan<char> startTime,
        ReadOnlySpan<char> durationSeconds,
        ReadOnlySpan<char> disposition,
        ReadOnlySpan<char> sessionId,
        out string? reason)
    {
        reason = Validate(cdrId, accountId, callingNumber, calledNumber, startTime, durationSeconds, disposition, sessionId, out var fields);
        return reason is null ? fields.ToCdr() : null;
    }

    /// <summary>
    /// The rules of <see cref="TryBuild"/> without making the record: why the texts are not a CDR, or null with
    /// <paramref name="fields"/> set (trimmed spans over the texts, and the parsed values).
    /// </summary>
    public static string? Validate(
        ReadOnlySpan<char> cdrId,
        ReadOnlySpan<char> accountId,
        ReadOnlySpan<char> callingNumber,
        ReadOnlySpan<char> calledNumber,
        ReadOnlySpan<char> startTime,
        ReadOnlySpan<char> durationSeconds,
        ReadOnlySpan<char> disposition,
        ReadOnlySpan<char> sessionId,
        out CdrFields fields)
    {
        fields = default;
        cdrId = cdrId.Trim();
        accountId = accountId.Trim();
        sessionId = sessionId.Trim();
        callingNumber = callingNumber.Trim();
        string? reason;
        if ((reason = Identifiers.ValidateReceived(cdrId, "cdr_id")) is not null
            || (reason = Identifiers.ValidateReceived(accountId, "account_id")) is not null
            || (reason = CalledNumber.Validate(calledNumber)) is not null
            || (reason = CheckCallingNumber(callingNumber, "calling_number")) is not null
            || (reason = ParseStart(startTime, out var start)) is not null
            || (reason = ParseDuration(durationSeconds, out var duration)) is not null
            || (reason = ParseDisposition(disposition, out var dispositionValue)) is not null
            || (!sessionId.IsEmpty && (reason = Identifiers.ValidateSessionReceived(sessionId, "session_id")) is not null))
        {
            return reason;
        }

        fields = new CdrFields
        {
            CdrId = cdrId,
            AccountId = accountId,
            CallingNumber = callingNumber,
            CalledNumber = calledNumber.Trim(),
            StartTime = start,
            DurationSeconds = duration,
            Disposition = dispositionValue,
            SessionId = sessionId,
        };
        return null;
    }

    public static string ClipRaw(string raw) => raw.Length <= MaxRawLength ? raw : raw[..MaxRawLength];

    /// <summary>
    /// A document that cannot be read as a whole, as rejections that keep all of its text: one per line that is not blank
    /// (numbered from 1, the document's lines; a byte-order mark passed over), a line longer than <see cref="MaxRawLength"/>
    /// in pieces of that length (never half a character, each reason saying which part it is), each with
    /// <paramref name="reason"/>. A source that cannot be
    /// answered (an event of a hub, read once) quarantines these, so that no CDR of the document is lost to the bound of a
    /// quarantined text.
    /// </summary>
    public static IReadOnlyList<CdrRejection> RejectWhole(string text, string reason)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rejections = new List<CdrRejection>();
        var number = 0;
        var pieces = new List<string>();
        foreach (var line in text.AsSpan().TrimStart('\uFEFF').EnumerateLines())
        {
            number++;
            pieces.Clear();
            for (var rest = line.IsWhiteSpace() ? [] : line; !rest.IsEmpty;)
            {
                var length = Math.Min(rest.Length, MaxRawLength);
                if (length < rest.Length && char.IsHighSurrogate(rest[length - 1]))
                {
                    length--;
                }

                pieces.Add(rest[..length].ToString());
                rest = rest[length..];
            }

            for (var k = 0; k < pieces.Count; k++)
            {
                var why = pieces.Count == 1 ? reason : string.Create(CultureInfo.InvariantCulture, $"{reason} (part {k + 1} of {pieces.Count} of line {number})");
                rejections.Add(new CdrRejection(number, null, null, why, pieces[k]));
            }
        }

        return rejections;
    }

    /// <summary>
    /// Why <paramref name="calling"/> is no calling number (<paramref name="name"/> names the field), or null: at most
    /// <see cref="MaxCallingNumberLength"/> characters, none a control character. A CDR's rule, and an authorize's, whose
    /// numbers its session keeps (in its fingerprint) for as long as the account and the session history keep it.
    /// </summary>
    public static string? CheckCallingNumber(ReadOnlySpan<char> calling, string name)
    {
        if (calling.Length <= MaxCallingNumberLength && !calling.ContainsAnyExceptInRange(' ', '~'))
        {
            return null; // printable ASCII has no control characters
        }

        if (calling.Length > MaxCallingNumberLength)
        {
            return $"{name} is longer than {MaxCallingNumberLength} characters";
        }

        foreach (var c in calling)
        {
            if (char.IsControl(c))
            {
                return $"{name} contains control characters";
            }
        }

        return null;
    }

    private static string? ParseStart(ReadOnlySpan<char> text, out DateTimeOffset start)
    {
        text = text.Trim();
        start = default;
        if (text.IsEmpty)
        {
            return "start_time is missing";
        }

        if (text.Length > 40 || !HasOffset(text) || !(TryParseCommonShape(text, out start)
            || DateTimeOffset.TryParseExact(text, StartTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out start)
            || TryParseFinerThanTicks(text, out start)))
        {
            return "start_time is not an ISO 8601 time with an offset (e.g. 2026-11-26T10:00:00Z)";
        }

        return start < EarliestStart || start >= LatestStart
            ? $"start_time {start:O} is out of range ({EarliestStart:yyyy} to {LatestStart:yyyy})"
            : null;
    }

    /// <summary>
    /// The shape switches write, <c>yyyy-MM-ddTHH:mm:ss</c> then <c>Z</c> or <c>±hh:mm</c>, read by position
    /// (about 15 ns instead of 200); anything else goes to the exact parser, so what is accepted does not change.
    /// </summary>
    private static bool TryParseCommonShape(ReadOnlySpan<char> t, out DateTimeOffset value)
    {
        value = default;
        if ((t.Length != 20 && t.Length != 25) || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':')
        {
            return false;
        }

        if (!TwoDigits(t, 0, out var century) || !TwoDigits(t, 2, out var yy) || !TwoDigits(t, 5, out var month)
            || !TwoDigits(t, 8, out var day) || !TwoDigits(t, 11, out var hour) || !TwoDigits(t, 14, out var minute)
            || !TwoDigits(t, 17, out var second))
        {
            return false;
        }

        var year = (century * 100) + yy;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var offset = TimeSpan.Zero;
        if (t.Length == 20)
        {
            if (t[19] != 'Z')
            {
                return false;
            }
        }
        else
        {
            if (t[19] is not ('+' or '-') || t[22] != ':' || !TwoDigits(t, 20, out var oh) || !TwoDigits(t, 23, out var om) || oh > 14 || om > 59 || (oh == 14 && om > 0))
            {
                return false;
            }

            offset = t[19] == '-' ? -new TimeSpan(oh, om, 0) : new TimeSpan(oh, om, 0);
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified);
        var utc = local.Ticks - offset.Ticks;
        if (utc < DateTime.MinValue.Ticks || utc > DateTime.MaxValue.Ticks)
        {
            return false; // the exact parser decides at the edges of the range
        }

        value = new DateTimeOffset(local, offset);
        return true;
    }

    /// <summary>
    /// What the exact formats leave out and ISO 8601 allows, read as the authorize reads the call's <c>startTime</c>: a
    /// lower-case <c>z</c>, and more fraction digits than a tick holds (nanoseconds, as Go's RFC3339Nano writes them),
    /// rounded to the tick half up. Otherwise a switch's every CDR was quarantined while its authorize was granted.
    /// </summary>
    private static bool TryParseFinerThanTicks(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        const int TickDigits = 7;
        value = default;
        var zone = text[^1] is 'Z' or 'z' ? 1 : 6;
        var body = text[..^zone];
        var dot = body.IndexOf('.');
        var fraction = dot < 0 ? [] : body[(dot + 1)..];
        if ((text[^1] != 'z' && fraction.Length <= TickDigits) || (dot >= 0 && (fraction.IsEmpty || fraction.ContainsAnyExceptInRange('0', '9'))))
        {
            return false;
        }

        Span<char> exact = stackalloc char[text.Length];
        var length = 0;
        Append(exact, ref length, dot < 0 ? body : body[..(dot + 1 + Math.Min(fraction.Length, TickDigits))]);
        Append(exact, ref length, zone == 1 ? "Z" : text[^zone..]);
        if (!DateTimeOffset.TryParseExact(exact[..length], StartTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out value))
        {
            return false;
        }

        if (fraction.Length > TickDigits && fraction[TickDigits] >= '5' && value < LatestStart)
        {
            value = value.AddTicks(1);
        }

        return true;
    }

    private static void Append(Span<char> to, ref int length, ReadOnlySpan<char> text)
    {
        text.CopyTo(to[length..]);
        length += text.Length;
    }

    private static bool TwoDigits(ReadOnlySpan<char> t, int at, out int value)
    {
        var a = t[at] - '0';
        var b = t[at + 1] - '0';
        value = (a * 10) + b;
        return unchecked((uint)a <= 9 && (uint)b <= 9);
    }

    private static bool HasOffset(ReadOnlySpan<char> text) =>
        text[^1] is 'Z' or 'z' || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');

    private static string? ParseDuration(ReadOnlySpan<char> text, out int duration)
    {
        text = text.Trim();
        if (text.IsEmpty)
        {
            duration = 0;
            return "duration_seconds is missing";
        }

        if (!TryParseDigits(text, out duration) && !int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out duration))
        {
            return "duration_seconds is not a whole number";
        }

        return duration switch
        {
            < 0 => "duration_seconds must not be negative",
            > MaxDurationSeconds => $"duration_seconds is more than {MaxDurationSeconds} (7 days)",
            _ => null,
        };
    }

    /// <summary>Up to 9 ASCII digits, the usual duration, read without the general parser (the same value).</summary>
    private static bool TryParseDigits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if (text.Length > 9)
        {
            return false;
        }

        foreach (var c in text)
        {
            var digit = unchecked((uint)(c - '0'));
            if (digit > 9)
            {
                value = 0;
                return false;
            }

            value = (value * 10) + (int)digit;
        }

        return true;
    }

    private static string? ParseDisposition(ReadOnlySpan<char> text, out Disposition disposition) =>
        DispositionNames.TryParse(text, out disposition)
            ? null
            : "disposition must be ANSWERED, NO_ANSWER, BUSY or FAILED";
}
