using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Api.Http;

/// <summary>The contract's names for enumerations (lower-case, hyphenated), both ways.</summary>
public static class WireNames
{
    public static string Mode(AccountMode mode) => mode == AccountMode.Prepaid ? "prepaid" : "postpaid";

    public static string Status(AccountStatus status) => status == AccountStatus.Active ? "active" : "suspended";

    public static string Tax(TaxTreatment treatment) => treatment switch
    {
        TaxTreatment.Standard => "standard",
        TaxTreatment.ReverseCharge => "reverse-charge",
        _ => "exempt",
    };

    public static string Order(ListOrder order) => order == ListOrder.NewestFirst ? "newest" : "oldest";

    /// <summary>A listing's <c>order</c> query value: oldest first when absent.</summary>
    public static bool TryParseOrder(string? text, out ListOrder order)
    {
        (var ok, order) = text switch
        {
            null or "" or "oldest" => (true, ListOrder.OldestFirst),
            "newest" => (true, ListOrder.NewestFirst),
            _ => (false, default),
        };
        return ok;
    }

    public static bool TryParseMode(string? text, out AccountMode mode)
    {
        (var ok, mode) = text switch
        {
            "prepaid" => (true, AccountMode.Prepaid),
            "postpaid" => (true, AccountMode.Postpaid),
            _ => (false, default),
        };
        return ok;
    }

    public static bool TryParseTax(string? text, out TaxTreatment treatment)
    {
        (var ok, treatment) = text switch
        {
            "standard" => (true, TaxTreatment.Standard),
            "reverse-charge" => (true, TaxTreatment.ReverseCharge),
            "exempt" => (true, TaxTreatment.Exempt),
            _ => (false, default),
        };
        return ok;
    }
}
