namespace ServerlessBilling.Api.Access;

/// <summary>
/// Endpoint metadata: on a host with keys, the endpoint needs a key of <see cref="Role"/>. Every route of the table
/// carries it (<see cref="ApiRoute"/>); an endpoint of the host's own outside the table that is not open (the local
/// host's metrics) adds a <see cref="KeyedEndpoint"/>. Endpoints without it are open.
/// </summary>
public interface IKeyedEndpoint
{
    /// <summary>The name a refusal gives.</summary>
    string Name { get; }

    ApiRole Role { get; }
}

/// <summary>Marks an endpoint outside the route table as needing a key of <paramref name="Role"/>.</summary>
public sealed record KeyedEndpoint(string Name, ApiRole Role) : IKeyedEndpoint;
