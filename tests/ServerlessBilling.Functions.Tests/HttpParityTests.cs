using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Api;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Functions.Http;
using Names = ServerlessBilling.Api.ApiRoutes.Names;

namespace ServerlessBilling.Functions.Tests;

/// <summary>
/// Every HTTP function, called directly, answers a scenario exactly as the local host does over HTTP: same status,
/// media type and body, successes and problems alike, each side on its own in-memory stores at the same fake time.
/// </summary>
public sealed class HttpParityTests
{
    public static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private const string Deck = """
        prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to
        44,United Kingdom,0.0100,0,60,60,,
        336,France Mobile,0.2400,0.0100,30,6,,
        """;

    private const string CdrHeader = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id";

    /// <summary>The scenario: each route at least once, with the answers that matter (200, 400, 404, 409).</summary>
    public static IReadOnlyList<HttpCall> Scenario { get; } =
    [
        new(Names.PutRateDeck, "PUT", "ratedecks/demo", Deck, "text/csv"),
        new(Names.PutRateDeck, "PUT", "ratedecks/broken", "prefix,destination\n44\n", "text/csv"),
        new(Names.PutAccount, "PUT", "accounts/pre", """{"name":"Pre","mode":"prepaid","currency":"GBP","rateDeckId":"demo","initialBalance":10,"timeZone":"Europe/London"}"""),
        new(Names.PutAccount, "PUT", "accounts/post", """{"name":"Post","mode":"postpaid","currency":"GBP","creditLimit":500,"rateDeckId":"demo"}"""),
        new(Names.PutAccount, "PUT", "accounts/bad", """{"mode":"both","currency":"XX"}"""),
        new(Names.PutAccount, "PUT", "accounts/bad%20id", """{"mode":"prepaid","currency":"GBP","rateDeckId":"demo"}"""),
        new(Names.TopUp, "POST", "accounts/pre/topups", """{"topupId":"t1","amount":5.50}"""),
        new(Names.TopUp, "POST", "accounts/pre/topups", """{"topupId":"t1","amount":5.50}"""),
        new(Names.TopUp, "POST", "accounts/pre/topups", """{"topupId":"t1","amount":7}"""),
        new(Names.TopUp, "POST", "accounts/nobody/topups", """{"topupId":"t2","amount":1}"""),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"s1","accountId":"pre","callingNumber":"+442071234567","calledNumber":"+33612345678","startTime":"2026-11-26T11:59:00Z","requestedSeconds":120}"""),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"s2","accountId":"pre","calledNumber":"+999","startTime":"2026-11-26T11:59:00Z"}"""),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"s3","accountId":"pre","calledNumber":"""),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"s4","accountId":"nobody","calledNumber":"+4420","startTime":"2026-11-26T11:59:00Z"}"""),
        new(Names.Interim, "POST", "sessions/s1/interim", """{"requestNumber":1,"usedSeconds":120,"requestedSeconds":60}"""),
        new(Names.Interim, "POST", "sessions/s1/interim", """{"requestNumber":0,"usedSeconds":1}"""),
        new(Names.Terminate, "POST", "sessions/s1/terminate", """{"requestNumber":2,"usedSeconds":30}"""),
        new(Names.Interim, "POST", "sessions/s1/interim", """{"requestNumber":3,"usedSeconds":10}"""),
        new(Names.Terminate, "POST", "sessions/unknown/terminate", """{"requestNumber":1,"usedSeconds":30}"""),
        new(Names.Balance, "GET", "accounts/pre/balance"),
        new(Names.Balance, "GET", "accounts/nobody/balance"),
        new(Names.PostCdrs, "POST", "cdrs", $"{CdrHeader}\nc1,post,+442071234567,+33612345678,2026-11-26T10:00:00Z,342,ANSWERED,\nc2,post,+442071234567,+999,2026-11-26T10:00:00Z,60,ANSWERED,\nc1,post,+442071234567,+33612345678,2026-11-26T10:00:00Z,342,ANSWERED,\n", "text/csv"),
        new(Names.PostCdrs, "POST", "cdrs", "[{\"cdrId\": ", "application/json"),
        new(Names.Usage, "GET", "accounts/post/usage?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z"),
        new(Names.Usage, "GET", "accounts/post/usage?from=yesterday"),
        new(Names.Usage, "GET", "accounts/post/usage?limit=0"),
        new(Names.Quarantine, "GET", "quarantine?accountId=post"),
        new(Names.Quarantine, "GET", "quarantine?limit=x"),
        new(Names.Suspend, "POST", "accounts/post/suspend", """{"reason":"unpaid invoice"}"""),
        new(Names.Suspend, "POST", "accounts/nobody/suspend", "{}"),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"s5","accountId":"post","calledNumber":"+4420","startTime":"2026-11-26T12:00:00Z"}"""),
        new(Names.Resume, "POST", "accounts/post/resume"),
        new(Names.Alerts, "GET", "alerts?accountId=post"),
        new(Names.Alerts, "GET", "alerts?limit=0"),
        new(Names.Balance, "GET", "accounts/post/balance"),
        new(Names.RunInvoices, "POST", "invoices/run", """{"period":"2026-10"}"""),
        new(Names.RunInvoices, "POST", "invoices/run", """{"period":"October"}"""),
        new(Names.AccountInvoices, "GET", "accounts/post/invoices"),
        new(Names.Invoice, "GET", "invoices/post.2026-10"),
        new(Names.InvoiceDocument, "GET", "invoices/post.2026-10/document?format=html"),
        new(Names.ListAccounts, "GET", "accounts"),
        new(Names.ListAccounts, "GET", "accounts?limit=1"),
        new(Names.ListAccounts, "GET", "accounts?limit=1&continuation=cDE6cG9zdA"),
        new(Names.ListAccounts, "GET", "accounts?limit=0"),
        new(Names.ListAccounts, "GET", "accounts?continuation=garbage"),
        new(Names.GetAccount, "GET", "accounts/post"),
        new(Names.GetAccount, "GET", "accounts/nobody"),
        new(Names.ListRateDecks, "GET", "ratedecks"),
        new(Names.GetRateDeck, "GET", "ratedecks/demo"),
        new(Names.GetRateDeck, "GET", "ratedecks/nothing"),
    ];

    [Fact]
    public async Task Each_function_answers_the_scenario_as_the_local_host_does()
    {
        var functionsClock = new FakeTimeProvider(Now);
        var localClock = new FakeTimeProvider(Now);
        await using var functions = new FunctionsApp(functionsClock);
        await using var local = await LocalHostRunner.StartAsync(localClock);
        var dispatch = Dispatch(functions);

        foreach (var call in Scenario)
        {
            var expected = await local.SendAsync(call);
            var actual = await functions.CallAsync(call, dispatch[call.Function](call));
            Assert.True(expected == actual, $"{call}\n local host: {expected}\n function:   {actual}");
            functionsClock.Advance(TimeSpan.FromSeconds(1));
            localClock.Advance(TimeSpan.FromSeconds(1));
        }

        // The scenario is not vacuous: it reaches every route, and successes as well as problems.
        Assert.Equal(ApiRoutes.All.Select(r => r.Name).Order(), Scenario.Select(c => c.Function).Distinct().Order());
    }

    [Fact]
    public async Task Scenario_answers_cover_success_and_each_problem_status()
    {
        await using var functions = new FunctionsApp(new FakeTimeProvider(Now));
        var dispatch = Dispatch(functions);
        var statuses = new List<int>();
        foreach (var call in Scenario)
        {
            statuses.Add((await functions.CallAsync(call, dispatch[call.Function](call))).Status);
        }

        Assert.Equal([200, 400, 404, 409], statuses.Distinct().Order());
    }

    [Theory]
    [InlineData(true, 503)]
    [InlineData(false, 500)]
    public async Task An_exception_becomes_the_same_problem_answer_as_on_the_local_host(bool storeFault, int status)
    {
        Action<IServiceCollection> failing = s => s.AddSingleton(FailingStore.Create<IAccountStore>(storeFault));
        await using var functions = new FunctionsApp(new FakeTimeProvider(Now), failing);
        await using var local = await LocalHostRunner.StartAsync(new FakeTimeProvider(Now), failing);
        var call = new HttpCall(Names.Balance, "GET", "accounts/pre/balance");

        var expected = await local.SendAsync(call);
        var actual = await functions.CallAsync(call, Dispatch(functions)[call.Function](call));

        Assert.Equal(status, expected.Status);
        Assert.Equal("application/problem+json", expected.MediaType);
        Assert.Equal(expected, actual);
    }

    /// <summary>Each route name to a direct call of its function, with the route values the host would bind.</summary>
    public static Dictionary<string, Func<HttpCall, Func<HttpRequest, Task<IResult>>>> Dispatch(FunctionsApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var switches = app.Create<SwitchFunctions>();
        var admin = app.Create<AdminFunctions>();
        static string Segment(HttpCall call, int index) => Uri.UnescapeDataString(call.PathAndQuery.Path.Split('/')[index]);
        return new()
        {
            [Names.Authorize] = _ => switches.Authorize,
            [Names.Interim] = c => r => switches.Interim(r, Segment(c, 1)),
            [Names.Terminate] = c => r => switches.Terminate(r, Segment(c, 1)),
            [Names.Balance] = c => r => switches.Balance(r, Segment(c, 1)),
            [Names.PutAccount] = c => r => admin.PutAccount(r, Segment(c, 1)),
            [Names.TopUp] = c => r => admin.TopUp(r, Segment(c, 1)),
            [Names.PutRateDeck] = c => r => admin.PutRateDeck(r, Segment(c, 1)),
            [Names.PostCdrs] = _ => admin.PostCdrs,
            [Names.Usage] = c => r => admin.Usage(r, Segment(c, 1)),
            [Names.Quarantine] = _ => admin.Quarantine,
            [Names.Alerts] = _ => admin.Alerts,
            [Names.Suspend] = c => r => admin.Suspend(r, Segment(c, 1)),
            [Names.Resume] = c => r => admin.Resume(r, Segment(c, 1)),
            [Names.RunInvoices] = _ => admin.RunInvoices,
            [Names.AccountInvoices] = c => r => admin.AccountInvoices(r, Segment(c, 1)),
            [Names.Invoice] = c => r => admin.Invoice(r, Segment(c, 1)),
            [Names.InvoiceDocument] = c => r => admin.InvoiceDocument(r, Segment(c, 1)),
            [Names.ListAccounts] = _ => admin.ListAccounts,
            [Names.GetAccount] = c => r => admin.GetAccount(r, Segment(c, 1)),
            [Names.ListRateDecks] = _ => admin.ListRateDecks,
            [Names.GetRateDeck] = c => r => admin.GetRateDeck(r, Segment(c, 1)),
        };
    }

    /// <summary>A store whose every call fails: with a store fault (503) or with a bug (500).</summary>
    public class FailingStore : DispatchProxy
    {
        private bool _storeFault;

        public static T Create<T>(bool storeFault)
            where T : class
        {
            var proxy = DispatchProxy.Create<T, FailingStore>();
            ((FailingStore)(object)proxy)._storeFault = storeFault;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            throw (_storeFault ? new StoreUnavailableException("the test store is down") : new InvalidOperationException("a bug"));
    }
}
