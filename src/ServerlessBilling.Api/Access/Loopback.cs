using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace ServerlessBilling.Api.Access;

/// <summary>Which listen addresses and connections are loopback, for the keyless (loopback-only) mode.</summary>
public static class Loopback
{
    /// <summary>
    /// Every address the configuration tells Kestrel to listen on: <c>urls</c> (also --urls and ASPNETCORE_URLS),
    /// else <c>http_ports</c>/<c>https_ports</c> (which mean every interface), and the Kestrel:Endpoints URLs.
    /// </summary>
    public static IEnumerable<string> ConfiguredAddresses(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var urls = configuration["urls"];
        if (!string.IsNullOrWhiteSpace(urls))
        {
            foreach (var url in urls.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                yield return url;
            }
        }
        else
        {
            foreach (var ports in new[] { ("http", configuration["http_ports"]), ("https", configuration["https_ports"]) })
            {
                foreach (var port in (ports.Item2 ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    yield return $"{ports.Item1}://*:{port}";
                }
            }
        }

        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (endpoint["Url"] is { Length: > 0 } url)
            {
                yield return url;
            }
        }
    }

    /// <summary>
    /// True for a URL Kestrel can listen on as written: <c>http</c> or <c>https</c>, a host (a name, an address, [IPv6],
    /// * or +) and optionally a port from 0 to 65535; or a Unix socket or named pipe (<c>http://unix:/path</c>). Kestrel
    /// itself fails with a stack trace on a port out of range, and takes <c>http://127.0.0.1:abc</c> for a host name and
    /// binds every interface on port 80.
    /// </summary>
    public static bool IsListenUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0 || !(url[..scheme].Equals("http", StringComparison.OrdinalIgnoreCase) || url[..scheme].Equals("https", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        var rest = url[(scheme + 3)..];
        if (rest.StartsWith("unix:", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("pipe:", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var end = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = end < 0 ? rest : rest[..end];
        var close = authority.StartsWith('[') ? authority.IndexOf(']', StringComparison.Ordinal) : -1;
        if (authority.StartsWith('[') && close < 2)
        {
            return false;
        }

        var hostEnd = close >= 0 ? close + 1 : authority.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0 ? colon : authority.Length;
        var port = authority[hostEnd..];
        return hostEnd > 0
            && (port.Length == 0
                || (port.Length is >= 2 and <= 6 && port[0] == ':' && port.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0
                    && int.Parse(port.AsSpan(1), CultureInfo.InvariantCulture) <= IPEndPoint.MaxPort));
    }

    /// <summary>
    /// True for 127.x, ::1 and localhost; false for wildcards (*, +, 0.0.0.0, [::]) and any other host. The host is read
    /// as Kestrel reads it: text after the last colon that is not a port number belongs to the host, which Kestrel then
    /// takes for a name and binds on every interface (<c>http://127.0.0.1:abc</c> listens on [::]:80).
    /// </summary>
    public static bool IsLoopbackUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var rest = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var end = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = end < 0 ? rest : rest[..end];
        var colon = authority.LastIndexOf(':');
        var host = colon >= 0 && int.TryParse(authority.AsSpan(colon + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
            ? authority[..colon]
            : authority;
        if (host is ['[', .. var inner, ']'])
        {
            host = inner;
        }

        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IsLoopback(address));
    }

    public static bool IsLoopback(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
    }
}
