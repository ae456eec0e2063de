using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using ServerlessBilling.Api;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>How a key travels in a request.</summary>
public enum KeyForm
{
    FunctionsKeyHeader,
    Bearer,
}

/// <summary>
/// Every route of the route table against every kind of caller, in both header forms: no key and an unknown key are
/// 401, a switch key is 403 on admin routes only, an admin key passes everywhere. Keys never reach the log.
/// </summary>
public sealed partial class AccessHttpTests(KeyedHostFixture host) : IClassFixture<KeyedHostFixture>
{
    public static TheoryData<string> Routes => [.. ApiRoutes.All.Select(r => r.Name)];

    public static TheoryData<string, KeyForm> RoutesAndForms
    {
        get
        {
            var data = new TheoryData<string, KeyForm>();
            foreach (var route in ApiRoutes.All)
            {
                foreach (var form in Enum.GetValues<KeyForm>())
                {
                    data.Add(route.Name, form);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Without_a_key_every_route_is_401_problem_with_a_bearer_challenge(string name)
    {
        using var response = await host.Client.SendAsync(Request(ApiRoutes.Named(name), key: null, KeyForm.FunctionsKeyHeader));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Contains("x-functions-key", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RoutesAndForms))]
    public async Task An_unknown_key_is_401_on_every_route(string name, KeyForm form)
    {
        var route = ApiRoutes.Named(name);
        foreach (var wrong in new[] { "e2e-wrong-key-0000000000", KeyedHostFixture.AdminKey[..^1], KeyedHostFixture.SwitchKey + "x", KeyedHostFixture.AdminKey.ToUpperInvariant() })
        {
            using var response = await host.Client.SendAsync(Request(route, wrong, form));

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory]
    [MemberData(nameof(RoutesAndForms))]
    public async Task A_switch_key_is_403_on_admin_routes_and_passes_on_switch_routes(string name, KeyForm form)
    {
        var route = ApiRoutes.Named(name);

        using var response = await host.Client.SendAsync(Request(route, KeyedHostFixture.SwitchKey, form));

        if (route.Role == ApiRole.Admin)
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        else
        {
            AssertPassed(response);
        }
    }

    [Theory]
    [MemberData(nameof(RoutesAndForms))]
    public async Task An_admin_key_passes_on_every_route(string name, KeyForm form)
    {
        foreach (var key in new[] { KeyedHostFixture.AdminKey, KeyedHostFixture.SecondAdminKey })
        {
            using var response = await host.Client.SendAsync(Request(ApiRoutes.Named(name), key, form));

            AssertPassed(response);
        }
    }

    [Fact]
    public async Task A_switch_key_does_its_work_end_to_end_and_is_refused_a_top_up()
    {
        using var balance = await host.Client.SendAsync(Request(HttpMethod.Get, "/api/accounts/smb/balance", KeyedHostFixture.SwitchKey, KeyForm.Bearer));
        using var topUp = await host.Client.SendAsync(Request(HttpMethod.Post, "/api/accounts/smb/topups", KeyedHostFixture.SwitchKey, KeyForm.FunctionsKeyHeader,
            """{"topupId":"e2e-switch-topup","amount":1000}"""));
        using var after = await host.Client.SendAsync(Request(HttpMethod.Get, "/api/accounts/smb/balance", KeyedHostFixture.AdminKey, KeyForm.FunctionsKeyHeader));

        Assert.Equal(HttpStatusCode.OK, balance.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, topUp.StatusCode);
        Assert.Equal(await balance.Content.ReadAsStringAsync(), await after.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    public async Task The_bearer_scheme_is_case_insensitive(string scheme)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/accounts/smb/balance");
        request.Headers.TryAddWithoutValidation("Authorization", $"{scheme} {KeyedHostFixture.SwitchKey}");

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_key_in_another_authorization_scheme_or_the_query_string_is_not_a_key()
    {
        using var basic = new HttpRequestMessage(HttpMethod.Get, "/api/accounts/smb/balance");
        basic.Headers.TryAddWithoutValidation("Authorization", $"Basic {KeyedHostFixture.SwitchKey}");
        using var basicResponse = await host.Client.SendAsync(basic);
        using var queryResponse = await host.Client.GetAsync($"/api/accounts/smb/balance?code={KeyedHostFixture.SwitchKey}");

        Assert.Equal(HttpStatusCode.Unauthorized, basicResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, queryResponse.StatusCode);
    }

    [Fact]
    public async Task Everything_outside_the_route_table_is_open()
    {
        using var root = await host.Client.GetAsync("/");
        using var unknown = await host.Client.GetAsync("/api/no-such-route");

        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Keys_are_never_logged_and_refusals_are()
    {
        const string wrong = "e2e-wrong-key-logged-never";
        foreach (var form in Enum.GetValues<KeyForm>())
        {
            foreach (var key in new[] { KeyedHostFixture.SwitchKey, KeyedHostFixture.AdminKey, KeyedHostFixture.SecondAdminKey, wrong })
            {
                using var balance = await host.Client.SendAsync(Request(HttpMethod.Get, "/api/accounts/smb/balance", key, form));
                using var quarantine = await host.Client.SendAsync(Request(HttpMethod.Get, "/api/quarantine", key, form));
            }
        }

        var lines = host.Logs.Lines.ToList();
        Assert.Contains(lines, l => l.Contains("1 switch key(s), 2 admin key(s)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Refused GET /api/quarantine: switch key 1 on an Admin route", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Refused GET /api/accounts/smb/balance: unknown key", StringComparison.Ordinal));
        foreach (var key in new[] { KeyedHostFixture.SwitchKey, KeyedHostFixture.AdminKey, KeyedHostFixture.SecondAdminKey, wrong })
        {
            Assert.DoesNotContain(lines, l => l.Contains(key, StringComparison.Ordinal));
        }
    }

    private static void AssertPassed(HttpResponseMessage response) =>
        Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} got {(int)response.StatusCode}");

    /// <summary>A request to the route with made-up route values and an empty JSON object as the body (POST and PUT).</summary>
    [Fact]
    public async Task An_oversized_chunked_body_is_413_and_logs_no_error()
    {
        using var request = Request(HttpMethod.Post, "/api/authorize", KeyedHostFixture.SwitchKey, KeyForm.FunctionsKeyHeader, "\"" + new string('a', 2_000_000) + "\"");
        request.Headers.TransferEncodingChunked = true;
        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.DoesNotContain(host.Logs.Lines, line => line.StartsWith("Error ", StringComparison.Ordinal) && line.Contains("larger than", StringComparison.Ordinal));
    }

    public static HttpRequestMessage Request(ApiRoute route, string? key, KeyForm form)
    {
        ArgumentNullException.ThrowIfNull(route);
        var path = $"/{ApiRoutes.Prefix}/{RouteValue().Replace(route.Template, "access-probe")}";
        return Request(new HttpMethod(route.Method), path, key, form, route.Method == ApiRoutes.Get ? null : "{}");
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? key, KeyForm form, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (key is not null)
        {
            if (form == KeyForm.Bearer)
            {
                request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {key}");
            }
            else
            {
                request.Headers.TryAddWithoutValidation("x-functions-key", key);
            }
        }

        return request;
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteValue();
}
