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
        new GrantAnswer("a<b>\"c\"\u00e9\u2028/d", ResultCode.DestinationNotRated, 0, 0, true, 0.000m, 0m, "GBP", -1.50m),
        new GrantAnswer("s-3", ResultCode.AccountSuspended, 0, 0, true, 0m, 79228162514264337593543950335m, "EUR", 0.0000000001m),
        new GrantAnswer("s-4", ResultCode.AccountNotFound, int.MaxValue, int.MinValue, false, -0.10m, 1m, "", 0m),
        new TerminateAnswer("a&b'c\u0001", ResultCode.CreditLimitReached, 0, 0, 0m, "EUR", -12.3400m),
    ];

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Writes_what_Results_Ok_writes_under_other_json_options_too(object answer)
    {
        using var services = new ServiceCollection().AddLogging().AddServerlessBillingApi()
            .ConfigureHttpJsonOptions(o =>
            {
                o.SerializerOptions.WriteIndented = true;
                o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
            })
            .BuildServiceProvider();

        var expected = await RunAsync(services, Results.Ok(answer));
        var written = await RunAsync(services, (IResult)Activator.CreateInstance(typeof(JsonOk<>).MakeGenericType(answer.GetType()), answer)!);

        Assert.Equal(expected.Body, written.Body);
        Assert.Equal(written.Body.Length, written.ContentLength);
    }

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
