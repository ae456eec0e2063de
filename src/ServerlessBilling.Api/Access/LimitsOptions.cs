using Microsoft.Extensions.Options;

namespace ServerlessBilling.Api.Access;

/// <summary>
/// Request limits (section "Limits"). The rate limit is off unless set: a default must never throttle a switch at
/// its design load, and only the operator knows that load.
/// </summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    /// <summary>Kestrel's own default, kept so that nothing changes unless asked.</summary>
    public const long DefaultMaxRequestBodyBytes = 30_000_000;

    public const long DefaultMaxJsonBodyBytes = 1 << 20;

    /// <summary>A JSON body is read whole into one array, whose length is an int: at most 1 GiB, far from that limit.</summary>
    public const long MostMaxJsonBodyBytes = 1 << 30;

    /// <summary>Requests per second allowed to one key (burst: one second's worth); null turns the rate limit off.</summary>
    public int? RequestsPerSecondPerKey { get; set; }

    /// <summary>Largest request body the server reads at all (Kestrel's MaxRequestBodySize); beyond it, 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <summary>Largest JSON body of credit control, accounts and top-ups; CDR batches and rate decks have their own limits.</summary>
    public long MaxJsonBodyBytes { get; set; } = DefaultMaxJsonBodyBytes;
}

/// <summary>Checks the limits; messages name the setting.</summary>
public sealed class LimitsOptionsValidator : IValidateOptions<LimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, LimitsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string prefix = LimitsOptions.Section + ":";
        if (options.RequestsPerSecondPerKey is < 1)
        {
            failures.Add($"{prefix}{nameof(LimitsOptions.RequestsPerSecondPerKey)} must be at least 1 (leave it unset to turn the rate limit off), not {options.RequestsPerSecondPerKey}");
        }

        if (options.MaxRequestBodyBytes < 1)
        {
            failures.Add($"{prefix}{nameof(LimitsOptions.MaxRequestBodyBytes)} must be at least 1, not {options.MaxRequestBodyBytes}");
        }

        if (options.MaxJsonBodyBytes < 1)
        {
            failures.Add($"{prefix}{nameof(LimitsOptions.MaxJsonBodyBytes)} must be at least 1, not {options.MaxJsonBodyBytes}");
        }
        else if (options.MaxJsonBodyBytes > LimitsOptions.MostMaxJsonBodyBytes)
        {
            failures.Add($"{prefix}{nameof(LimitsOptions.MaxJsonBodyBytes)} must be from 1 to {LimitsOptions.MostMaxJsonBodyBytes} (1 GiB), not {options.MaxJsonBodyBytes}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
