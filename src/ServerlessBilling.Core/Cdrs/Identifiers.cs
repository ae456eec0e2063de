using System.Buffers;

namespace ServerlessBilling.Core.Cdrs;

/// <summary>
/// The rules for every id that comes from a source. Account, CDR, top-up and deck ids become document ids and
/// URL segments as they are, so they are bounded and carry no control or path characters. Session ids come
/// from switches: a SIP switch uses the Call-ID, whose RFC 3261 alphabet includes <c>/ \ ?</c> and which may be
/// long, so a session id may hold any visible character up to <see cref="MaxSessionLength"/>; it travels
/// percent-encoded in URL paths, and a store whose ids cannot hold it maps it (see <see cref="IsPlain"/>).
/// </summary>
public static class Identifiers
{
    public const int MaxLength = 128;

    /// <summary>Twice the usual bound: SIP stacks build Call-IDs from a random part, '@' and a host name.</summary>
    public const int MaxSessionLength = 256;

    private static readonly SearchValues<char> PathCharacters = SearchValues.Create("/\\?#");

    /// <summary>Why <paramref name="value"/> is not a valid id, or null when it is.</summary>
    public static string? Validate(ReadOnlySpan<char> value, string name)
    {
        return Check(value, name, MaxLength, pathCharactersAllowed: false);
    }

    /// <summary>Why <paramref name="value"/> is not a valid session id, or null when it is: any RFC 3261 Call-ID is.</summary>
    public static string? ValidateSession(ReadOnlySpan<char> value, string name) =>
        Check(value, name, MaxSessionLength, pathCharactersAllowed: true);

    public static bool IsValid(ReadOnlySpan<char> value) => Validate(value, "id") is null;

    /// <summary>
    /// Why an id holds U+FFFD, the character a reader makes of bytes that are not UTF-8 (a file written in Windows-1252):
    /// ids that differ only in such bytes would be read as one id, so that one call's CDR is taken for another's (a
    /// duplicate, a conflict) or misses its session and charges the call again. Null when it holds none. A CDR holding
    /// one is quarantined, so an id sent to the API is held to it too (<see cref="ValidateReceived"/>): a session opened
    /// under such an id could never be charged by its CDR.
    /// </summary>
    /// <remarks>
    /// An unpaired UTF-16 surrogate (JSON can escape one: "\ud800") is refused with it: it is not text, and UTF-8 (SQLite's
    /// text, Cosmos DB's) holds it as U+FFFD, so "call-\uD800" and "call-\uDC00" were one row of the file but two keys of
    /// the in-memory claims: both could be claimed as new calls before either was written.
    /// </remarks>
    public static string? NotUtf8(ReadOnlySpan<char> id, string name) =>
        id.Contains('\uFFFD')
            ? $"{name} is not valid UTF-8 (a byte that is not was read as U+FFFD): send the file in UTF-8"
            : HasUnpairedSurrogate(id) ? NotText(name) : null;

    /// <summary>Why a value that holds an unpaired UTF-16 surrogate is refused: the one sentence the API and the CDR readers give.</summary>
    public static string NotText(string name) =>
        $"{name} is not valid Unicode text: it holds an unpaired surrogate (a \\uD800-\\uDFFF escape without its other half)";

    /// <summary>True when <paramref name="value"/> holds a UTF-16 surrogate that is not half of a pair.</summary>
    public static bool HasUnpairedSurrogate(ReadOnlySpan<char> value)
    {
        for (var at = value.IndexOfAnyInRange('\uD800', '\uDFFF'); at >= 0;)
        {
            if (!char.IsHighSurrogate(value[at]) || at + 1 >= value.Length || !char.IsLowSurrogate(value[at + 1]))
            {
                return true;
            }

            at += 2;
            var next = value[at..].IndexOfAnyInRange('\uD800', '\uDFFF');
            at = next < 0 ? -1 : at + next;
        }

        return false;
    }

    /// <summary>Why an id received (a CDR's, or one a request names) is not valid: <see cref="Validate"/>, and no U+FFFD, unpaired surrogate or byte-order mark.</summary>
    public static string? ValidateReceived(ReadOnlySpan<char> value, string name) => Validate(value, name) ?? NotUtf8(value, name) ?? ByteOrderMark(value, name);

    /// <summary>Why a session id received is not valid: <see cref="ValidateSession"/>, and no U+FFFD, unpaired surrogate or byte-order mark.</summary>
    public static string? ValidateSessionReceived(ReadOnlySpan<char> value, string name) => ValidateSession(value, name) ?? NotUtf8(value, name) ?? ByteOrderMark(value, name);

    /// <summary>
    /// Why an id holds U+FEFF, or null. In an id it is the byte-order mark of a file joined to a batch (two CDR files sent
    /// as one body or event, the second written with a mark), and it is invisible: "\uFEFFc-2" was another id than "c-2",
    /// so the call was charged again when its CDR came without the mark.
    /// </summary>
    public static string? ByteOrderMark(ReadOnlySpan<char> id, string name) =>
        id.Contains('\uFEFF')
            ? $"{name} holds a byte-order mark (U+FEFF, invisible): the mark of a file joined inside the batch; send the file's lines without it"
            : null;

    /// <summary>
    /// True when <paramref name="value"/> also passes the general id rule, which is the session id rule of old:
    /// stores keep such a session id as it is, so that the ids stored before the session rule widened still
    /// read back.
    /// </summary>
    public static bool IsPlain(ReadOnlySpan<char> value) => IsValid(value);

    private static string? Check(ReadOnlySpan<char> value, string name, int maxLength, bool pathCharactersAllowed)
    {
        // The usual id, printable ASCII without a space (or a path character), passes every rule below.
        if (!value.IsEmpty && value.Length <= maxLength && !value.ContainsAnyExceptInRange('!', '~')
            && (pathCharactersAllowed || !value.ContainsAny(PathCharacters)))
        {
            return null;
        }

        if (value.IsEmpty || value.IsWhiteSpace())
        {
            return $"{name} is missing";
        }

        if (value.Length > maxLength)
        {
            return $"{name} is longer than {maxLength} characters";
        }

        foreach (var c in value)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                return pathCharactersAllowed
                    ? $"{name} contains a character that is not allowed (control, white space)"
                    : $"{name} contains a character that is not allowed (control, white space, / \\ ? #)";
            }

            if (!pathCharactersAllowed && c is '/' or '\\' or '?' or '#')
            {
                return $"{name} contains a character that is not allowed (control, white space, / \\ ? #)";
            }
        }

        return null;
    }
}
