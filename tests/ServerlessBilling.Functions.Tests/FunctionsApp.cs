using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Api;
using ServerlessBilling.Core;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Functions.Hosting;
using ServerlessBilling.Functions.Http;

namespace ServerlessBilling.Functions.Tests;

/// <summary>
/// The Functions app's services as Program.cs composes them, on the embedded stores and a fake clock, and its
/// HTTP functions called the way the worker calls them: the problem middleware around the function, then the
/// returned result executed on the HttpContext.
/// </summary>
public sealed class FunctionsApp : IAsyncDisposable
{
    public static readonly IReadOnlyDictionary<string, string?> TriggerSettingValues = new Dictionary<string, string?>
    {
        [TriggerSettings.CdrEventHub] = "cdrs",
        [TriggerSettings.CdrConsumerGroup] = "billing",
        [$"{TriggerSettings.EventHubConnection}:fullyQualifiedNamespace"] = "example.servicebus.windows.net",
    };

    private readonly ServiceProvider _services;

    public FunctionsApp(FakeTimeProvider clock, Action<IServiceCollection>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(TriggerSettingValues).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddServerlessBillingApi();
        services.AddServerlessBillingCore(configuration);
        services.AddEmbeddedStores();
        services.AddServerlessBillingFunctions(configuration);
        services.AddSingleton<TimeProvider>(clock);
        configure?.Invoke(services);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public IServiceProvider Services => _services;

    public T Create<T>() => ActivatorUtilities.CreateInstance<T>(_services);

    /// <summary>Calls an HTTP function with a request built like the worker's, and reads the answer.</summary>
    public async Task<Answer> CallAsync(HttpCall call, Func<HttpRequest, Task<IResult>> function)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(function);
        await using var scope = _services.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        var (path, query) = call.PathAndQuery;
        http.Request.Method = call.Method;
        http.Request.Path = "/" + ApiRoutes.Prefix + "/" + path;
        http.Request.QueryString = new QueryString(query);
        if (call.Body is { } body)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            http.Request.Body = new MemoryStream(bytes);
            http.Request.ContentLength = bytes.Length;
            http.Request.ContentType = call.ContentType;
        }

        var response = new MemoryStream();
        http.Response.Body = response;

        var context = new TestFunctionContext(scope.ServiceProvider, http);
        IResult? result = null;
        await Create<ProblemMiddleware>().Invoke(context, async _ => result = await function(http.Request));
        if (result is not null)
        {
            await result.ExecuteAsync(http);
        }

        var retryAfter = http.Response.Headers.RetryAfter;
        return Answer.From(http.Response.StatusCode, http.Response.ContentType, retryAfter.Count == 0 ? null : retryAfter.ToString(), Encoding.UTF8.GetString(response.ToArray()));
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
