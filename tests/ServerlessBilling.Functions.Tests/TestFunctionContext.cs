using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace ServerlessBilling.Functions.Tests;

/// <summary>
/// A function invocation as the ASP.NET Core integration hands it to middleware: the HttpContext in Items under the
/// key that FunctionContextExtensions.GetHttpContext reads. Members no middleware here uses throw.
/// </summary>
public sealed class TestFunctionContext : FunctionContext
{
    private const string HttpContextKey = "HttpRequestContext";

    public TestFunctionContext(IServiceProvider services, HttpContext? http)
    {
        InstanceServices = services;
        Items = new Dictionary<object, object>();
        if (http is not null)
        {
            Items[HttpContextKey] = http;
        }
    }

    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId => throw new NotSupportedException();

    public override TraceContext TraceContext => throw new NotSupportedException();

    public override BindingContext BindingContext => throw new NotSupportedException();

    public override RetryContext RetryContext => throw new NotSupportedException();

    public override IServiceProvider InstanceServices { get; set; }

    public override FunctionDefinition FunctionDefinition => throw new NotSupportedException();

    public override IDictionary<object, object> Items { get; set; }

    public override IInvocationFeatures Features => throw new NotSupportedException();
}
