using System.Globalization;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Validation;

namespace ServerlessBilling.Core.Cdrs;

/// <summary>The validation rules of a CDR, shared by the CSV and the JSON reader.</summary>
public static class CdrValidation
{
    public const int MaxCallingNumberLength = 64;
    public const int MaxDurationSeconds = Validation.Bounds.MaxCallSeconds;
    public const int MaxRawLength = 4096;

    public static readonly DateTimeOffset EarliestStart = Validation.Bounds.EarliestTime;
    public static readonly DateTimeOffset LatestStart = Validation.Bounds.LatestTime;

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

    public static string ClipRaw(string raw) => raw.Length <= MaxRawLength ? raw : Excerpt.Of(raw, MaxRawLength, more: "");

    /// <summary>
    /// <paramref name="raw"/> in pieces of at most <see cref="MaxRawLength"/> characters, never half a character, in order:
    /// the quarantine keeps a refused record's text longer than its bound as records of its parts, so that none of it is lost.
    /// </summary>
    public static IReadOnlyList<string> Pieces(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (raw.Length <= MaxRawLength)
        {
            return [raw];
        }

        var pieces = new List<string>();
        AddPieces(raw, pieces);
        return pieces;
    }

    private static void AddPieces(ReadOnlySpan<char> text, List<string> pieces)
    {
        for (var rest = text; !rest.IsEmpty;)
        {
            var length = Math.Min(rest.Length, MaxRawLength);
            if (length < rest.Length && char.IsHighSurrogate(rest[length - 1]))
            {
                length--;
            }

            pieces.Add(rest[..length].ToString());
            rest = rest[length..];
        }
    }

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
            AddPieces(line.IsWhiteSpace() ? [] : line, pieces);

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

        if (!IsoTime.TryParse(text, out start))
        {
            return "start_time is not an ISO 8601 time with an offset (e.g. 2026-11-26T10:00:00Z)";
        }

        return start < EarliestStart || start >= LatestStart
            ? $"start_time {start:O} is out of range ({EarliestStart:yyyy} to {LatestStart:yyyy})"
            : null;
    }

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
            return WhyNotDigits(text);
        }

        return duration switch
        {
            < 0 => "duration_seconds must not be negative",
            > MaxDurationSeconds => $"duration_seconds is more than {MaxDurationSeconds} (7 days)",
            _ => null,
        };
    }

    /// <summary>
    /// Why a duration that is not an integer in digits is refused, saying what is wrong with it: "42.0" and "1e3" in a CSV
    /// are whole, but a CSV duration is written in digits (a JSON number is read by its value before it comes here, see
    /// <see cref="Integral"/>), so the reason must not call them fractions; nor digits past an int, which are too long a call.
    /// </summary>
    private static string WhyNotDigits(ReadOnlySpan<char> text)
    {
        if (Integral(text) is { } whole)
        {
            return whole.StartsWith('-') ? "duration_seconds must not be negative"
                : whole.Length > 9 || int.Parse(whole, CultureInfo.InvariantCulture) > MaxDurationSeconds ? $"duration_seconds is more than {MaxDurationSeconds} (7 days)"
                : "duration_seconds must be written as a whole number in digits (e.g. 342), without a decimal point or exponent";
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value < 0 ? "duration_seconds must not be negative"
                : value > MaxDurationSeconds ? $"duration_seconds is more than {MaxDurationSeconds} (7 days)"
                : "duration_seconds is not a whole number of seconds"
            : "duration_seconds is not a number written in digits 0-9";
    }

    /// <summary>
    /// A number (a sign, digits, a fraction, an exponent: <c>42.0</c>, <c>4.2e1</c>, <c>420e-1</c>) whose value is whole, as
    /// the integer's digits (<c>42</c>, <c>-7</c>, <c>0</c>); null for a fraction or what is no number. Decided on the
    /// digits, not a double or a decimal, so that no fraction is rounded away (<c>42.0000000000000000000000000001</c> is
    /// not whole). A whole value of more than 18 digits comes back as nineteen nines, more than any duration.
    /// </summary>
    public static string? Integral(ReadOnlySpan<char> number)
    {
        var negative = number.StartsWith('-');
        var text = negative || number.StartsWith('+') ? number[1..] : number;
        long exponent = 0;
        var e = text.IndexOfAny('e', 'E');
        if (e >= 0)
        {
            if (!long.TryParse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent) || Math.Abs(exponent) > 1_000_000)
            {
                return null;
            }

            text = text[..e];
        }

        var dot = text.IndexOf('.');
        var whole = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? [] : text[(dot + 1)..];
        if (whole.IsEmpty || whole.ContainsAnyExceptInRange('0', '9') || fraction.ContainsAnyExceptInRange('0', '9'))
        {
            return null;
        }

        var digits = string.Concat(whole, fraction).TrimStart('0');
        if (digits.Length == 0)
        {
            return "0";
        }

        var significant = digits.TrimEnd('0');
        var shift = exponent - fraction.Length + (digits.Length - significant.Length); // the value is significant × 10^shift
        if (shift < 0)
        {
            return null;
        }

        var sign = negative ? "-" : "";
        return significant.Length + shift > 18 ? sign + new string('9', 19) : sign + significant + new string('0', (int)shift);
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
