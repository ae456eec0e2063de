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
