using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Api;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Functions.Tests;

/// <summary>The Functions app's HTTP functions over stores that never answer: each 503 with Retry-After at its deadline.</summary>
public sealed class FrozenStoreFunctionsTests
{
    [Fact]
    public async Task Every_http_function_on_a_frozen_store_is_503_with_retry_after_at_its_deadline()
    {
        // The Functions app runs the local host's handlers, and its reads had no deadline either: a frozen store held
        // an operator's GET for as long as it stayed frozen (up to the function timeout, 5 minutes).
        var clock = new FakeTimeProvider(HttpParityTests.Now);
        var stores = new FreezingStores();
        await using var functions = new FunctionsApp(clock, stores.Wrap);
        var dispatch = HttpParityTests.Dispatch(functions);
        var options = functions.Services.GetRequiredService<CreditControlOptions>();
        var longest = new[] { options.StoreDeadline, options.AdminDeadline, options.BatchDeadline }.Max();
        var failures = new List<string>();
        foreach (var route in ApiRoutes.All)
        {
            var (path, body, contentType) = FrozenRouteCalls.For(route.Name, route.Template);
            var call = new HttpCall(route.Name, route.Method, path, body, contentType);
            stores.Freeze();
            try
            {
                var pending = functions.CallAsync(call, dispatch[call.Function](call));
                await stores.Stalled.WaitAsync(TimeSpan.FromSeconds(10));
                // Once: every deadline started before its store call, so one move of the clock past them answers the call.
                clock.Advance(longest + TimeSpan.FromMilliseconds(1));
                var answer = await pending.WaitAsync(TimeSpan.FromSeconds(3));
                if (answer.Status != 503 || answer.RetryAfter != "1" || answer.MediaType != "application/problem+json")
                {
                    failures.Add($"{call}: {answer.Status}, Retry-After {answer.RetryAfter}, {answer.MediaType}");
                }
            }
            catch (TimeoutException)
            {
                failures.Add($"{call}: no answer after its deadline (waits on the frozen store)");
            }
            finally
            {
                stores.Thaw();
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
