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
