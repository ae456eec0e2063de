using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessBilling.Api.Access;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>Round eleven of the hostile review, on the host's start-up: what a keyless host agrees to listen on.</summary>
public sealed class HostileRoundElevenStartupTests
{
    public static TheoryData<string> NotLoopback => new()
    {
        // Kestrel reads text after the last colon that is not a port as part of the host name, and binds a name on every
        // interface: "http://127.0.0.1:abc" listens on [::]:80.
        "http://127.0.0.1:abc",
        "http://127.0.0.1:7071x",
        "http://localhost:port",
        "http://[::1]:abc",
    };

    [Theory]
    [MemberData(nameof(NotLoopback))]
    public void Without_keys_an_address_whose_port_is_not_a_number_is_refused_because_kestrel_would_listen_everywhere(string url)
    {
        // docs/api.md: with no keys configured the local host "refuses to start on a non-loopback address (exit code 3)".
        Assert.False(Loopback.IsLoopbackUrl(url));

        using var app = LocalHost.Build(["--urls", url, "--Store=memory", "--Local:SeedDemo=false"]);
        var refused = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains($"'{url}' is not a loopback address", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1")]
    [InlineData("http://[::1]")]
    [InlineData("http://[::1]:7071/")]
    [InlineData("http://localhost")]
    [InlineData("http://127.0.0.1:7071/")]
    public void Loopback_addresses_with_or_without_a_port_stay_loopback(string url) => Assert.True(Loopback.IsLoopbackUrl(url));
}
