namespace ServerlessBilling.Core.Money;

/// <summary>An ISO 4217 currency code: exactly three upper-case ASCII letters.</summary>
public readonly record struct Currency
{
    public string Code { get; }

    public Currency(string code)
    {
        if (!IsValidCode(code))
        {
            throw new ArgumentException($"'{code}' is not an ISO 4217 currency code (three upper-case letters).", nameof(code));
        }

        Code = code;
    }

    public static bool IsValidCode(string? code) =>
        code is { Length: 3 } && code.All(c => c is >= 'A' and <= 'Z');

    public static bool TryParse(string? code, out Currency currency)
    {
        if (IsValidCode(code))
        {
            currency = new Currency(code!);
            return true;
        }

        currency = default;
        return false;
    }

    public override string ToString() => Code ?? "";
}
