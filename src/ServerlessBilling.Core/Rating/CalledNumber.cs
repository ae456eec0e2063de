namespace ServerlessBilling.Core.Rating;

/// <summary>Normalisation of called numbers for prefix matching: strip '+' or a leading '00'; digits only.</summary>
public static class CalledNumber
{
    public const int MaxDigits = 32;

    /// <summary>The digits to match, or an empty span when the number is not a dialable digit string.</summary>
    public static ReadOnlySpan<char> Normalize(ReadOnlySpan<char> number)
    {
        number = number.Trim();
        if (number.StartsWith("+"))
        {
            number = number[1..];
        }
        else if (number.StartsWith("00"))
        {
            number = number[2..];
        }

        if (number.IsEmpty || number.Length > MaxDigits || number.ContainsAnyExceptInRange('0', '9'))
        {
            return [];
        }

        return number;
    }

    /// <summary>Why <paramref name="number"/> cannot be rated, or null when it can.</summary>
    public static string? Validate(ReadOnlySpan<char> number)
    {
        if (!Normalize(number).IsEmpty)
        {
            return null;
        }

        var trimmed = number.Trim();
        if (trimmed.IsEmpty)
        {
            return "called number is empty";
        }

        return trimmed.Length > MaxDigits + 2
            ? $"called number is longer than {MaxDigits} digits"
            : !trimmed.ContainsAnyInRange('0', '9')
                ? "called number has no digits"
                : "called number must be digits, optionally after '+' or '00'";
    }
}
