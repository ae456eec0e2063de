using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ServerlessBilling.Core;

/// <summary>Settings bound from one configuration section that can say, setting by setting, what is wrong with them.</summary>
public interface IValidatedOptions
{
    /// <summary>The configuration section ("CreditControl").</summary>
    static abstract string Section { get; }

    /// <summary>One sentence per invalid setting, naming it as it is configured ("CreditControl:ValiditySeconds must be at least 1").</summary>
    IReadOnlyList<string> Validate();
}

public static class ValidatedOptions
{
    /// <summary>
    /// Binds <typeparamref name="T"/> from its section, validates it when the host starts (a failed start names every
    /// invalid setting) and registers the bound value itself for constructors that take it.
    /// </summary>
    public static IServiceCollection AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration)
        where T : class, IValidatedOptions, new()
    {
        services.AddOptions<T>()
            .Configure(options => configuration.GetSection(T.Section).Bind(options))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>, Validation<T>>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
        return services;
    }

    private sealed class Validation<T> : IValidateOptions<T>
        where T : class, IValidatedOptions
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            options.Validate() is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
    }
}

/// <summary>
/// The checks of a duration or count setting that the validators share. Below the range the message is the one each setting has
/// always had; above it, it names the whole range. The upper bounds keep a careless value from breaking the product
/// later: a timer, a cancellation deadline and <c>Task.WaitAsync</c> throw beyond <see cref="LongestWait"/>, and a
/// retention added to a time overflows near <see cref="TimeSpan.MaxValue"/>.
/// </summary>
public static class SettingChecks
{
    /// <summary>The longest wait a timer, a cancellation deadline or <c>Task.WaitAsync</c> accepts: 0xFFFFFFFE ms, about 49.7 days.</summary>
    public static readonly TimeSpan LongestWait = TimeSpan.FromMilliseconds(0xFFFFFFFE);

    /// <summary>A duration above zero and at most <paramref name="max"/>.</summary>
    public static void CheckPositive(this List<string> errors, string setting, TimeSpan value, TimeSpan max)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{setting} must be positive");
        }
        else if (value > max)
        {
            errors.Add(FormattableString.Invariant($"{setting} must be more than 0 and at most {max:c}"));
        }
    }

    /// <summary>
    /// A whole number from <paramref name="min"/> to <paramref name="max"/>. Below the range the message is the one each
    /// setting has always had ("at least"); above it, it names the whole range, and <paramref name="why"/> says why it ends there.
    /// </summary>
    public static void CheckRange(this List<string> errors, string setting, long value, long min, long max, string why = "")
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (value < min)
        {
            errors.Add(FormattableString.Invariant($"{setting} must be at least {min}"));
        }
        else if (value > max)
        {
            errors.Add(FormattableString.Invariant($"{setting} must be from {min} to {max}{why}"));
        }
    }

    /// <summary>A duration from zero to <paramref name="max"/>; <paramref name="zero"/> says what zero means, if it means something.</summary>
    public static void CheckNotNegative(this List<string> errors, string setting, TimeSpan value, TimeSpan max, string zero = "")
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (value < TimeSpan.Zero)
        {
            errors.Add($"{setting} must not be negative{zero}");
        }
        else if (value > max)
        {
            errors.Add(FormattableString.Invariant($"{setting} must be from 0 to {max:c}{zero}"));
        }
    }
}
