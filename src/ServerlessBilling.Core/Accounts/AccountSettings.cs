using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessBilling.Core.Money;

namespace ServerlessBilling.Core.Accounts;

/// <summary>On the wire: <c>prepaid</c> or <c>postpaid</c>.</summary>
[JsonConverter(typeof(LowerCaseNames<AccountMode>))]
public enum AccountMode
{
    Prepaid,
    Postpaid,
}

/// <summary>On the wire: <c>active</c> or <c>suspended</c>.</summary>
[JsonConverter(typeof(LowerCaseNames<AccountStatus>))]
public enum AccountStatus
{
    Active,
    Suspended,
}

/// <summary>An enum's wire form in JSON: its name in lower case (a converter in the serializer options wins over it).</summary>
public sealed class LowerCaseNames<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where T : struct, Enum;

public enum TaxTreatment
{
    Standard,
    ReverseCharge,
    Exempt,
}

public sealed record TaxSettings(TaxTreatment Treatment, decimal Rate)
{
    public static readonly TaxSettings None = new(TaxTreatment.Exempt, 0m);

    /// <summary>The rate that applies: reverse-charge and exempt invoices carry no tax.</summary>
    public decimal EffectiveRate => Treatment == TaxTreatment.Standard ? Rate : 0m;
}

/// <summary>What an operator sets on an account (PUT /api/accounts/{id}); money state lives in <see cref="AccountState"/>.</summary>
public sealed record AccountSettings(
    string Name,
    AccountMode Mode,
    Currency Currency,
    decimal? CreditLimit,
    bool HardLimit,
    string RateDeckId,
    int BillingDay,
    string TimeZone,
    TaxSettings Tax,
    Monitoring.MonitoringSettings? Monitoring = null,
    int PaymentTermsDays = AccountSettings.DefaultPaymentTermsDays)
{
    public const int DefaultPaymentTermsDays = 30;

    /// <summary>
    /// The longest name: it heads every invoice and statement and is kept in the account document, which a name of
    /// megabytes would take past what a store item may hold.
    /// </summary>
    public const int MaxNameLength = 200;

    /// <summary>The monitoring policy in force: the account's own, or the defaults.</summary>
    public Monitoring.MonitoringSettings EffectiveMonitoring => Monitoring ?? ServerlessBilling.Core.Monitoring.MonitoringSettings.Default;

    /// <summary>
    /// Every reason the settings are not usable; empty when they are. Given the account's <paramref name="stored"/>
    /// settings, a value kept as it is stored is not checked again: an account stored before a rule was tightened (a
    /// name with a tab, a zone the tz rules now refuse) can still be edited, and that value fixed when the operator
    /// chooses. Only what changes must pass today's rules; rules across fields (a hard limit needs a limit) always hold,
    /// and a kept zone still has to be one this machine knows (every billing period is drawn in it).
    /// </summary>
    public IReadOnlyList<string> Validate(AccountSettings? stored = null)
    {
        var errors = new List<string>();
        bool Kept<T>(Func<AccountSettings, T> value) => stored is not null && EqualityComparer<T>.Default.Equals(value(this), value(stored));
        if (!Kept(s => s.Name) && NameError(Name) is { } badName)
        {
            errors.Add(badName);
        }

        if (CreditLimit is { } limit && !Kept(s => s.CreditLimit) && Validation.Bounds.CheckAmount(limit, "creditLimit", positive: false) is { } badLimit)
        {
            errors.Add(badLimit);
        }

        if (Mode == AccountMode.Postpaid && HardLimit && CreditLimit is null)
        {
            errors.Add("a post-paid account with hardLimit needs a creditLimit");
        }

        if (!Kept(s => s.RateDeckId) && Cdrs.Identifiers.Validate(RateDeckId, "rateDeckId") is { } deckError)
        {
            errors.Add(deckError);
        }

        if (BillingDay is < 1 or > 31 && !Kept(s => s.BillingDay))
        {
            errors.Add("billingDay must be from 1 to 31 (in shorter months, a day past the end means the last day)");
        }

        if (PaymentTermsDays is < 0 or > 365 && !Kept(s => s.PaymentTermsDays))
        {
            errors.Add("paymentTermsDays must be from 0 to 365");
        }

        if (!BillingPeriod.IsTimeZoneName(TimeZone) && !(Kept(s => s.TimeZone) && BillingPeriod.TryFindTimeZone(TimeZone, out _)))
        {
            errors.Add($"timeZone '{TimeZone}' is not an IANA time zone");
        }

        if (Tax.Rate is < 0m or > 1m && !Kept(s => s.Tax.Rate))
        {
            errors.Add("tax.rate must be from 0 to 1");
        }

        if (Monitoring is not null && !Kept(s => s.Monitoring))
        {
            errors.AddRange(Monitoring.Validate());
        }

        return errors;
    }

    private static string? NameError(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "name is required";
        }

        if (name.Length > MaxNameLength)
        {
            return $"name is longer than {MaxNameLength} characters";
        }

        // It heads every invoice and statement as it is, as a destination's name goes on their lines (which refuse them too).
        return Validation.DisplayText.Unfit(name) is { } what ? $"name holds {what}: it is printed on every invoice and statement as it is" : null;
    }
}
