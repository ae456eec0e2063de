using Microsoft.AspNetCore.Http;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.Local.Tests.Http;

/// <summary>Only a GET or HEAD that matched no endpoint goes down the dashboard's file branch; API calls never do.</summary>
public sealed class DashboardFilesTests
{
    [Theory]
    [InlineData("GET", false, true)]
    [InlineData("HEAD", false, true)]
    [InlineData("POST", false, false)]
    [InlineData("PUT", false, false)]
    [InlineData("GET", true, false)]
    [InlineData("POST", true, false)]
    public void The_file_branch_sees_unrouted_reads_only(string method, bool routed, bool expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        if (routed)
        {
            context.SetEndpoint(new Endpoint(_ => Task.CompletedTask, EndpointMetadataCollection.Empty, "api"));
        }

        Assert.Equal(expected, DashboardFiles.MayBeAFile(context));
    }
}
