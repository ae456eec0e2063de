namespace ServerlessBilling.Core.Invoicing;

/// <summary>
/// The order of an invoice's lines, by destination name: numbers in a name by their value ("Destination 3" before
/// "Destination 299", "Zone 9" before "Zone 10"), everything else ordinal, so that the order is the same on every machine
/// and in every culture. Names equal but for leading zeros keep a fixed order (fewer zeros first, "Zone 9" before
/// "Zone 09"), and names equal otherwise differ ordinally: no two names compare equal, so the order never depends on the
/// order calls came in. The invoice holds its lines in this order, and each of its documents prints them as it holds them.
/// </summary>
public sealed class DestinationOrder : IComparer<string>
{
    public static readonly DestinationOrder Instance = new();

    private DestinationOrder()
    {
    }

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        var zeros = 0; // the first difference in leading zeros of numbers equal in value
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                var (xStart, yStart) = (i, j);
                while (i < x.Length && x[i] == '0')
                {
                    i++;
                }

                while (j < y.Length && y[j] == '0')
                {
                    j++;
                }

                var (xDigits, yDigits) = (i, j);
                while (i < x.Length && char.IsAsciiDigit(x[i]))
                {
                    i++;
                }

                while (j < y.Length && char.IsAsciiDigit(y[j]))
                {
                    j++;
                }

                // Without leading zeros, the longer number is the larger; of equal length, the first digit that differs says.
                var byValue = (i - xDigits).CompareTo(j - yDigits);
                if (byValue == 0)
                {
                    byValue = string.CompareOrdinal(x, xDigits, y, yDigits, i - xDigits);
                }

                if (byValue != 0)
                {
                    return byValue;
                }

                if (zeros == 0)
                {
                    zeros = (xDigits - xStart).CompareTo(yDigits - yStart);
                }

                continue;
            }

            if (x[i] != y[j])
            {
                return x[i].CompareTo(y[j]);
            }

            i++;
            j++;
        }

        var byLength = (x.Length - i).CompareTo(y.Length - j);
        return byLength != 0 ? byLength : zeros != 0 ? zeros : string.CompareOrdinal(x, y);
    }
}
