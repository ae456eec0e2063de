using Microsoft.AspNetCore.Routing;
using ServerlessBilling.Api;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>The local host serves exactly the route table, each endpoint carrying its route (and so its role) for key middleware.</summary>
public sealed class RouteTableTests
{
    [Fact]
    public async Task Every_route_of_the_table_is_mapped_once_under_api_with_its_role_as_metadata()
    {
        await using var app = LocalHost.Build(["--urls", "http://127.0.0.1:0", "--Store=memory", "--Local:SeedDemo=false"]);
        var mapped = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints)
            .OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Route: e.Metadata.GetMetadata<ApiRoute>()))
            .Where(e => e.Route is not null)
            .ToList();

        Assert.Equal(ApiRoutes.All.Count, mapped.Count);
        foreach (var route in ApiRoutes.All)
        {
            var endpoint = Assert.Single(mapped, e => e.Route == route).Endpoint;
            Assert.Equal($"/api/{route.Template}", endpoint.RoutePattern.RawText);
            Assert.Equal([route.Method], endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods);
            Assert.Equal(route.Name, endpoint.Metadata.GetMetadata<EndpointNameMetadata>()!.EndpointName);
        }
    }

    [Fact]
    public void Credit_control_and_balance_are_the_switch_routes_and_everything_else_is_admin()
    {
        string[] switchRoutes = [ApiRoutes.Names.Authorize, ApiRoutes.Names.Interim, ApiRoutes.Names.Terminate, ApiRoutes.Names.Balance];
        foreach (var route in ApiRoutes.All)
        {
            Assert.Equal(switchRoutes.Contains(route.Name) ? ApiRole.Switch : ApiRole.Admin, route.Role);
        }

        Assert.Equal(ApiRoutes.All.Count, ApiRoutes.All.Select(r => r.Name).Distinct().Count());
        Assert.Equal(ApiRoutes.All.Count, ApiRoutes.All.Select(r => (r.Method, r.Template)).Distinct().Count());
    }
}
