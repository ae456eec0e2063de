using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Core.CreditControl;
using Names = ServerlessBilling.Api.ApiRoutes.Names;

namespace ServerlessBilling.Functions.Tests;

/// <summary>A refusal at the open-session bound says so in its answer: a switch can tell it from credit spent.</summary>
public sealed class OpenSessionBoundAnswerTests
{
    [Fact]
    public async Task A_refusal_at_the_open_session_bound_names_the_bound_and_a_refusal_for_credit_names_none()
    {
        // Both were CREDIT_LIMIT_REACHED and nothing else: a switch (or its operator) could not tell "out of money" from
        // "too many calls open at once", which call for different actions (a top-up; ending calls or raising the bound).
        var clock = new FakeTimeProvider(HttpParityTests.Now);
        await using var functions = new FunctionsApp(clock, s => s.AddSingleton(new CreditControlOptions { MaxOpenSessionsPerAccount = 5 }));
        var dispatch = HttpParityTests.Dispatch(functions);
        async Task<Answer> CallAsync(HttpCall call) => await functions.CallAsync(call, dispatch[call.Function](call));
        foreach (var setup in new[]
        {
            new HttpCall(Names.PutRateDeck, "PUT", "ratedecks/demo", "prefix,destination,rate,min_seconds,increment_seconds\n44,United Kingdom,0.01,60,60\n", "text/csv"),
            new HttpCall(Names.PutAccount, "PUT", "accounts/busy", """{"name":"Busy","mode":"prepaid","currency":"GBP","rateDeckId":"demo","initialBalance":100}"""),
            new HttpCall(Names.PutAccount, "PUT", "accounts/wide", """{"name":"Wide","mode":"prepaid","currency":"GBP","rateDeckId":"demo","initialBalance":100}"""),
            new HttpCall(Names.PutAccount, "PUT", "accounts/spent", """{"name":"Spent","mode":"prepaid","currency":"GBP","rateDeckId":"demo","initialBalance":0}"""),
        })
        {
            Assert.Equal(200, (await CallAsync(setup)).Status);
        }

        HttpCall Authorize(string account, string session) =>
            new(Names.Authorize, "POST", "authorize", JsonSerializer.Serialize(new { sessionId = session, accountId = account, calledNumber = "+441234567890", requestedSeconds = 60 }));

        var granted = await CallAsync(Authorize("busy", "b-0"));
        for (var i = 1; i < 5; i++)
        {
            Assert.Equal("SUCCESS", (await CallAsync(Authorize("busy", $"b-{i}"))).Json.GetProperty("resultCode").GetString());
        }

        var byCount = await CallAsync(Authorize("busy", "b-5"));
        // An open session of a 100-character CJK id (each character escaped to six bytes, the id stored three times) takes
        // more than three usual ones' room: two of them pass the room of 5 by their size, one open session below the count.
        Assert.Equal("SUCCESS", (await CallAsync(Authorize("wide", new string('語', 100)))).Json.GetProperty("resultCode").GetString());
        var bySize = await CallAsync(Authorize("wide", new string('語', 99) + "2"));
        var noCredit = await CallAsync(Authorize("spent", "s-1"));

        Assert.Equal("SUCCESS", granted.Json.GetProperty("resultCode").GetString());
        Assert.False(granted.Json.TryGetProperty("reason", out _), granted.ToString());
        Assert.Equal(("CREDIT_LIMIT_REACHED", "OPEN_SESSIONS"), (byCount.Json.GetProperty("resultCode").GetString(), Reason(byCount)));
        Assert.Equal(("CREDIT_LIMIT_REACHED", "OPEN_SESSIONS_SIZE"), (bySize.Json.GetProperty("resultCode").GetString(), Reason(bySize)));
        Assert.Equal("CREDIT_LIMIT_REACHED", noCredit.Json.GetProperty("resultCode").GetString());
        Assert.False(noCredit.Json.TryGetProperty("reason", out _), noCredit.ToString());
    }

    private static string? Reason(Answer answer) =>
        answer.Json.TryGetProperty("reason", out var reason) ? reason.GetString() : $"no reason: {answer}";
}
