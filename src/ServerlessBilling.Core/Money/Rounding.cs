namespace ServerlessBilling.Core.Money;

/// <summary>
/// The rounding rules of API.md, in one place: charges to 4 decimals, invoice lines and tax to 2,
/// always half away from zero.
/// </summary>
public static class Rounding
{
    public const int ChargeDecimals = 4;
    public const int InvoiceDecimals = 2;

    public static decimal Charge(decimal amount) => decimal.Round(amount, ChargeDecimals, MidpointRounding.AwayFromZero);

    public static decimal Invoice(decimal amount) => decimal.Round(amount, InvoiceDecimals, MidpointRounding.AwayFromZero);
}
