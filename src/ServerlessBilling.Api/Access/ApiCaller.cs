namespace ServerlessBilling.Api.Access;

/// <summary>
/// Who is calling, as the key middleware found it (an HttpContext feature). <see cref="Id"/> names the key by its
/// place in the settings ("switch key 2"), never by its value, so that it can be logged and used as a rate-limit partition.
/// </summary>
public sealed record ApiCaller(string Id, ApiRole Role)
{
    /// <summary>The caller of a host without keys, which only loopback callers can reach.</summary>
    public static readonly ApiCaller Loopback = new("loopback", ApiRole.Admin);

    /// <summary>Whether this caller may call a route of that role: admin may call everything.</summary>
    public bool May(ApiRole role) => Role == ApiRole.Admin || Role == role;
}
