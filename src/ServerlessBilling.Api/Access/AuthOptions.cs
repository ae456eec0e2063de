using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ServerlessBilling.Api.Access;

/// <summary>
/// API keys (section "Auth"): comma-separated lists, from configuration or the environment
/// (<c>Auth__SwitchKeys</c>, <c>Auth__AdminKeys</c>), never from the repository. No key at all means loopback only.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Shortest key accepted: a short key can be guessed by trying, however constant-time the comparison.</summary>
    public const int MinKeyLength = 16;

    /// <summary>Keys of the switches: credit control and balance.</summary>
    public string? SwitchKeys { get; set; }

    /// <summary>Keys of operators: every route.</summary>
    public string? AdminKeys { get; set; }

    public IReadOnlyList<string> SwitchKeyList => Split(SwitchKeys);

    public IReadOnlyList<string> AdminKeyList => Split(AdminKeys);

    public bool HasKeys => SwitchKeyList.Count + AdminKeyList.Count > 0;

    private static string[] Split(string? keys) =>
        (keys ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// Checks the keys (length, characters, one role per key), that every address the host is told to listen on is well
/// formed and, with no key configured, a loopback one. Messages name the setting and never show a key.
/// </summary>
public sealed class AuthOptionsValidator(IConfiguration configuration) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CheckKeys(options.SwitchKeyList, $"{AuthOptions.Section}:{nameof(AuthOptions.SwitchKeys)}", failures);
        CheckKeys(options.AdminKeyList, $"{AuthOptions.Section}:{nameof(AuthOptions.AdminKeys)}", failures);
        if (options.SwitchKeyList.Intersect(options.AdminKeyList, StringComparer.Ordinal).Any())
        {
            failures.Add($"{AuthOptions.Section}: a key is listed in both SwitchKeys and AdminKeys; give each key one role");
        }

        if (Loopback.ConfiguredAddresses(configuration).FirstOrDefault(a => !Loopback.IsListenUrl(a)) is { } malformed)
        {
            failures.Add($"urls: '{malformed}' is not an address to listen on: http://HOST:PORT or https://HOST:PORT, PORT a number from 0 to 65535 (e.g. http://127.0.0.1:7071)");
        }

        if (!options.HasKeys && Loopback.ConfiguredAddresses(configuration).FirstOrDefault(a => !Loopback.IsLoopbackUrl(a)) is { } open)
        {
            failures.Add($"{AuthOptions.Section}: no API keys are configured ({AuthOptions.Section}:{nameof(AuthOptions.SwitchKeys)}, " +
                $"{AuthOptions.Section}:{nameof(AuthOptions.AdminKeys)}), so this host serves loopback only, and '{open}' is not a loopback address; " +
                "set keys or listen on 127.0.0.1");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckKeys(IReadOnlyList<string> keys, string setting, List<string> failures)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            if (key.Length < AuthOptions.MinKeyLength)
            {
                failures.Add($"{setting}: key {i + 1} is shorter than {AuthOptions.MinKeyLength} characters");
            }

            // Printable ASCII only, so that the key travels unchanged in a header.
            if (key.Any(c => c is < '!' or > '~'))
            {
                failures.Add($"{setting}: key {i + 1} has a character other than printable ASCII (no spaces)");
            }
        }

        if (keys.Distinct(StringComparer.Ordinal).Count() != keys.Count)
        {
            failures.Add($"{setting}: a key is listed twice");
        }
    }
}
