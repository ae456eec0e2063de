namespace ServerlessBilling.Core.Cdrs;

/// <summary>
/// The rule for every id that comes from a source (CDR, account, session, top-up, deck): they become
/// document ids and URL segments, so they are bounded and carry no control or path characters.
/// </summary>
public static class Identifiers
{
    public const int MaxLength = 128;

    /// <summary>Why <paramref name="value"/> is not a valid id, or null when it is.</summary>
    public static string? Validate(ReadOnlySpan<char> value, string name)
    {
        if (value.IsEmpty || value.IsWhiteSpace())
        {
            return $"{name} is missing";
        }

        if (value.Length > MaxLength)
        {
            return $"{name} is longer than {MaxLength} characters";
        }

        foreach (var c in value)
        {
            if (char.IsControl(c) || c is '/' or '\\' or '?' or '#' || char.IsWhiteSpace(c))
            {
                return $"{name} contains a character that is not allowed (control, white space, / \\ ? #)";
            }
        }

        return null;
    }

    public static bool IsValid(ReadOnlySpan<char> value) => Validate(value, "id") is null;
}
