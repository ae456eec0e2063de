using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Api;
using ServerlessBilling.Api.Http;
using ServerlessBilling.Core.CreditControl;

namespace ServerlessBilling.Local.Tests.Http;

/// <summary>The hot path's 200 answer is byte for byte what <c>Results.Ok</c> writes, with its length declared.</summary>
public sealed class JsonOkTests
{
    public static TheoryData<object> Answers() =>
    [
        new GrantAnswer("s-1", ResultCode.Success, 300, 300, false, 1.2500m, 0.0100m, "GBP", 98.75m),
        new GrantAnswer("s-2", ResultCode.CreditLimitReached, 0, 0, true, 0m, 0.01m, "EUR", null),
        new TerminateAnswer("s-1", ResultCode.Success, 61, 120, 0.020m, "GBP", 99.98m, 1),
    ];

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Writes_what_Results_Ok_writes_in_one_body_of_declared_length(object answer)
    {
        using var services = new ServiceCollection().AddLogging().AddServerlessBillingApi().BuildServiceProvider();

        var expected = await RunAsync(services, Results.Ok(answer));
        var written = await RunAsync(services, (IResult)Activator.CreateInstance(typeof(JsonOk<>).MakeGenericType(answer.GetType()), answer)!);

        Assert.Equal(StatusCodes.Status200OK, written.Status);
        Assert.Equal(expected.ContentType, written.ContentType);
        Assert.Equal(expected.Body, written.Body);
        Assert.Equal(written.Body.Length, written.ContentLength);
    }

    private static async Task<(int Status, string? ContentType, long? ContentLength, byte[] Body)> RunAsync(IServiceProvider services, IResult result)
    {
        using var body = new MemoryStream();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = body;
        await result.ExecuteAsync(context);
        await context.Response.BodyWriter.FlushAsync();
        return (context.Response.StatusCode, context.Response.ContentType, context.Response.ContentLength, body.ToArray());
    }
}
