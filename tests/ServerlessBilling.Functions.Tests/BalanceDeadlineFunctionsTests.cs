using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Testing;
using Names = ServerlessBilling.Api.ApiRoutes.Names;

namespace ServerlessBilling.Functions.Tests;

/// <summary>The balance read, a switch route, has one deadline: the credit-control store deadline.</summary>
public sealed class BalanceDeadlineFunctionsTests
{
    [Fact]
    public async Task A_balance_read_on_a_frozen_store_runs_under_one_deadline_and_one_advance_past_it_answers_503()
    {
        // The read ran under two deadlines: its own (CreditControl:StoreDeadline) inside the one every GET got from the
        // endpoint filter (CreditControl:AdminDeadline). Two timers a request, and which of them answered a frozen store
        // (and so what the 503 said) depended on which fired first when the clock passed both.
        var clock = new FakeTimeProvider(HttpParityTests.Now);
        var timers = new TimerRecordingClock(clock);
        var stores = new FreezingStores();
        await using var functions = new FunctionsApp(clock, s =>
        {
            stores.Wrap(s);
            s.AddSingleton<TimeProvider>(timers);
        });
        var dispatch = HttpParityTests.Dispatch(functions);
        var options = functions.Services.GetRequiredService<CreditControlOptions>();
        var call = new HttpCall(Names.Balance, "GET", "accounts/smb/balance");
        stores.Freeze();
        try
        {
            timers.Clear();
            var pending = functions.CallAsync(call, dispatch[call.Function](call));
            await stores.Stalled.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Equal([options.StoreDeadline], timers.DueTimes.Where(t => t == options.StoreDeadline || t == options.AdminDeadline));
            clock.Advance(options.StoreDeadline + TimeSpan.FromMilliseconds(1));
            var answer = await pending.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Equal((503, "1", "application/problem+json"), (answer.Status, answer.RetryAfter, answer.MediaType));
            Assert.Equal(
                $"a store is unavailable: balance: the store did not answer within {options.StoreDeadline.TotalMilliseconds:0} ms; retry",
                answer.Json.GetProperty("detail").GetString());
            Assert.True(options.StoreDeadline < options.AdminDeadline);
        }
        finally
        {
            stores.Thaw();
        }
    }
}
