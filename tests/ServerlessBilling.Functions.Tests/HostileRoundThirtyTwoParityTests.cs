using System.Text;
using Microsoft.Extensions.Time.Testing;
using Names = ServerlessBilling.Api.ApiRoutes.Names;

namespace ServerlessBilling.Functions.Tests;

/// <summary>
/// Round thirty-two of the hostile review, on parity: hostile requests (JSON edge cases, byte-order marks, query
/// parameters given twice or out of range, bodies of the wrong kind, paging in both orders, documents) answered by each
/// HTTP function exactly as by the local host: status, media type, Retry-After and body.
/// </summary>
public sealed class HostileRoundThirtyTwoParityTests
{
    private const string CdrHeader = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id";

    private const string Authorize = """{"sessionId":"h1","accountId":"pre","callingNumber":"+442071234567","calledNumber":"+33612345678","startTime":"2026-11-26T11:59:00Z","requestedSeconds":60}""";

    public static IReadOnlyList<HttpCall> Hostile { get; } =
    [
        // JSON edge cases on credit control: a key twice, unknown keys, numbers as strings, huge and fractional numbers,
        // a byte-order mark, trailing content, another casing, comments, nesting, an array, nothing at all.
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"h0","sessionId":"h0b","accountId":"pre","calledNumber":"+33612345678"}"""),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"h0","accountId":"pre","calledNumber":"+33612345678","requestedSeconds":"60"}"""),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"h0","accountId":"pre","calledNumber":"+33612345678","requestedSeconds":1e400}"""),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"h0","accountId":"pre","calledNumber":"+33612345678","requestedSeconds":99999999999999999999}"""),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"h0","accountId":"pre","calledNumber":"+33612345678","requestedSeconds":60.5}"""),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"h0","accountId":"pre","calledNumber":"+33612345678","requestedSeconds":-1}"""),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"h0","accountId":"pre","calledNumber":"+33612345678","startTime":"2026-11-26T11:59:00"}"""),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"h0","accountId":"pre","calledNumber":"+33612345678","startTime":"2126-11-26T11:59:00Z"}"""),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"h0","accountId":"pre","calledNumber":"+33612345678"} {}"""),
        new(Names.Authorize, "POST", "authorize", """{"SessionId":"h0","AccountId":"pre","CalledNumber":"+33612345678"}"""),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"h0",/*c*/"accountId":"pre","calledNumber":"+33612345678"}"""),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"h0","accountId":"pre","calledNumber":"+33612345678","extra":{"a":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}}"""),
        new(Names.Authorize, "POST", "authorize", """[{"sessionId":"h0"}]"""),
        new(Names.Authorize, "POST", "authorize", "null"),
        new(Names.Authorize, "POST", "authorize", ""),
        new(Names.Authorize, "POST", "authorize", "\uFEFF" + Authorize),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"h\ud800","accountId":"pre","calledNumber":"+33612345678"}"""),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"\ufeffh0","accountId":"pre","calledNumber":"+33612345678"}"""),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"h0","account\ud800Id":"pre","calledNumber":"+33612345678"}"""),
        new(Names.PutAccount, "PUT", "accounts/x", """{"name":"X","mo\udc00de":"prepaid","currency":"GBP","rateDeckId":"demo"}"""),
        new(Names.PostCdrs, "POST", "cdrs", """[{"cdrId":"s1","account\ud800Id":"post","calledNumber":"+4420","startTime":"2026-11-26T10:00:00Z","durationSeconds":10,"disposition":"ANSWERED"},{"cdrId":"s2","accountId":"post","calledNumber":"+4420","startTime":"2026-11-26T10:00:00Z","durationSeconds":10,"disposition":"ANSWERED"}]"""),
        new(Names.TopUp, "POST", "accounts/pre/topups", """{"topupId":"\ufefft9","amount":1}"""),
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"h0","accountId":"pre","calledNumber":"+33612345678","unknown":1}""", "text/plain"),
        new(Names.Authorize, "POST", "authorize", Authorize),
        new(Names.Authorize, "POST", "authorize", Authorize.Replace("60}", "61}", StringComparison.Ordinal)),
        new(Names.Interim, "POST", "sessions/h1/interim", """{"requestNumber":"1","usedSeconds":60}"""),
        new(Names.Interim, "POST", "sessions/h1/interim", """{"requestNumber":1,"usedSeconds":60,"usedSeconds":0}"""),
        new(Names.Interim, "POST", "sessions/h1/interim", """{"requestNumber":1,"usedSeconds":604801}"""),
        new(Names.Terminate, "POST", "sessions/h1/terminate", """{"requestNumber":1,"usedSeconds":30,"requestedSeconds":5}"""),
        new(Names.Terminate, "POST", "sessions/h1/terminate", """{"requestNumber":1,"usedSeconds":30}"""),
        new(Names.Terminate, "POST", "sessions/h%2F1/terminate", """{"requestNumber":1,"usedSeconds":30}"""),
        new(Names.Terminate, "POST", "sessions/h1/terminate", "{}"),

        // Administration: amounts as strings, huge, with many decimals; bodies of the wrong kind.
        new(Names.TopUp, "POST", "accounts/pre/topups", """{"topupId":"t1","amount":"5"}"""),
        new(Names.TopUp, "POST", "accounts/pre/topups", """{"topupId":"t1","amount":1e30}"""),
        new(Names.TopUp, "POST", "accounts/pre/topups", """{"topupId":"t1","amount":0.123456789012345678901234567891}"""),
        new(Names.TopUp, "POST", "accounts/pre/topups", """{"topupId":"t1","amount":5,"currency":"gbp"}"""),
        new(Names.TopUp, "POST", "accounts/pre/topups", """{"topupId":"t1","amount":5,"amount":500}"""),
        new(Names.TopUp, "POST", "accounts/pre/topups", """{"topupId":"t2","amount":5.10}"""),
        new(Names.PutAccount, "PUT", "accounts/x", """{"name":"X","mode":"prepaid","currency":"GBP","rateDeckId":"demo","creditLimit":"5"}"""),
        new(Names.PutAccount, "PUT", "accounts/x", """{"name":"X","mode":"prepaid","currency":"GBP","rateDeckId":"demo","billingDay":32}"""),
        new(Names.PutAccount, "PUT", "accounts/x", """{"name":"X","mode":"prepaid","currency":"GBP","rateDeckId":"demo","timeZone":"Mars/Olympus"}"""),
        new(Names.PutAccount, "PUT", "accounts/x", """{"name":"X","mode":"prepaid","currency":"GBP","rateDeckId":"demo","monitoring":{"thresholds":[0.5,"0.8"]}}"""),
        new(Names.PutAccount, "PUT", "accounts/x", "prefix,destination\n", "text/csv"),
        new(Names.PutRateDeck, "PUT", "ratedecks/bom", "\uFEFFprefix,destination,rate,min_seconds,increment_seconds\r\n44,UK,0.01,60,60\r\n", "text/csv"),
        new(Names.PutRateDeck, "PUT", "ratedecks/json", """{"prefix":"44"}"""),
        new(Names.PutRateDeck, "PUT", "ratedecks/empty", "", "text/csv"),

        // CDRs: a byte-order mark, JSON with a key twice and numbers as strings, a lone object, a bad header, nothing.
        new(Names.PostCdrs, "POST", "cdrs", $"\uFEFF{CdrHeader}\r\nb1,post,+441,+33612345678,2026-11-26T10:00:00Z,42,ANSWERED,\r\n", "text/csv"),
        new(Names.PostCdrs, "POST", "cdrs", """[{"cdrId":"j1","cdrId":"j2","accountId":"post","calledNumber":"+4420","startTime":"2026-11-26T10:00:00Z","durationSeconds":10,"disposition":"ANSWERED"},{"cdrId":"j3","accountId":"post","calledNumber":"+4420","startTime":"2026-11-26T10:00:00Z","durationSeconds":"10","disposition":"ANSWERED"},{"cdrId":"j4","accountId":"post","calledNumber":"+4420","startTime":"2026-11-26T10:00:00Z","durationSeconds":1e400,"disposition":"ANSWERED"},7]"""),
        new(Names.PostCdrs, "POST", "cdrs", """{"cdrId":"j5","accountId":"post","calledNumber":"+4420","startTime":"2026-11-26T10:00:00Z","durationSeconds":10,"disposition":"answered"}"""),
        new(Names.PostCdrs, "POST", "cdrs", "cdr_id,account_id\nx,post\n", "text/csv"),
        new(Names.PostCdrs, "POST", "cdrs", "", "text/csv"),
        new(Names.PostCdrs, "POST", "cdrs", "[]"),

        // Queries: given twice, out of range, in the other order, tokens of another list.
        new(Names.Usage, "GET", "accounts/post/usage?limit=1&order=newest"),
        new(Names.Usage, "GET", "accounts/post/usage?limit=1&order=newest&continuation=dW4xOjYzOTAwMDAwMDAwMDAwMDAwMDpwb3N0"),
        new(Names.Usage, "GET", "accounts/post/usage?order=latest"),
        new(Names.Usage, "GET", "accounts/post/usage?limit=1&limit=2"),
        new(Names.Usage, "GET", "accounts/post/usage?limit=10001"),
        new(Names.Usage, "GET", "accounts/post/usage?limit=%2B1"),
        new(Names.Usage, "GET", "accounts/post/usage?from=2026-11-26T10:00:00Z&to=2026-11-26T10:00:00Z"),
        new(Names.Usage, "GET", "accounts/post/usage?from=2026-11-26T10:00:00%2B01:00"),
        new(Names.Usage, "GET", "accounts/post/usage?continuation="),
        new(Names.Quarantine, "GET", "quarantine?accountId=post&accountId=pre"),
        new(Names.Quarantine, "GET", "quarantine?limit=1"),
        new(Names.Quarantine, "GET", "quarantine?continuation=cDE6cG9zdA"),
        new(Names.Alerts, "GET", "alerts?accountId=bad%20id"),
        new(Names.Alerts, "GET", "alerts?continuation=cTE6MTox"),
        new(Names.ListAccounts, "GET", "accounts?limit=1001"),
        new(Names.ListAccounts, "GET", "accounts?limit=1&continuation=cDE6cG9zdA&continuation=x"),
        new(Names.Suspend, "POST", "accounts/post/suspend", """{"reason":"a\u0007b"}"""),
        new(Names.Suspend, "POST", "accounts/post/suspend", """{"reason":"x","reason":"y"}"""),
        new(Names.Suspend, "POST", "accounts/post/suspend", "", "text/plain"),
        new(Names.Resume, "POST", "accounts/post/resume", "ignored", "text/plain"),
        new(Names.RunInvoices, "POST", "invoices/run", """{"period":"2026-13"}"""),
        new(Names.RunInvoices, "POST", "invoices/run", """{"period":202610}"""),
        new(Names.RunInvoices, "POST", "invoices/run", "", "text/plain"),
        new(Names.Invoice, "GET", "invoices/post"),
        new(Names.Invoice, "GET", "invoices/post.2026-10.01"),
        new(Names.InvoiceDocument, "GET", "invoices/post.2026-10/document?format=PDF"),
        new(Names.InvoiceDocument, "GET", "invoices/post.2026-10/document?format=html&format=pdf"),
        new(Names.InvoiceDocument, "GET", "invoices/post.2026-10/document?format=xml"),
        new(Names.InvoiceDocument, "GET", "invoices/nobody.2026-10/document?format=pdf"),
        new(Names.GetRateDeck, "GET", "ratedecks/bom"),
        new(Names.Balance, "GET", "accounts/pre/balance"),
    ];

    [Fact]
    public async Task Each_function_answers_hostile_requests_as_the_local_host_does()
    {
        var functionsClock = new FakeTimeProvider(HttpParityTests.Now);
        var localClock = new FakeTimeProvider(HttpParityTests.Now);
        await using var functions = new FunctionsApp(functionsClock);
        await using var local = await LocalHostRunner.StartAsync(localClock);
        var dispatch = HttpParityTests.Dispatch(functions);
        var differences = new List<string>();

        foreach (var call in HttpParityTests.Scenario.Concat(Hostile))
        {
            var expected = await local.SendAsync(call);
            var actual = await functions.CallAsync(call, dispatch[call.Function](call));
            Assert.True(expected.Status != 500, $"{call}\n local host: {expected}");
            if (expected != actual)
            {
                differences.Add($"{call}\n local host: {expected}\n function:   {actual}");
            }

            functionsClock.Advance(TimeSpan.FromSeconds(1));
            localClock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    private static readonly HttpCall[] MutationSeeds =
    [
        new(Names.Authorize, "POST", "authorize", """{"sessionId":"f1","accountId":"pre","callingNumber":"+442071234567","calledNumber":"+33612345678","startTime":"2026-11-26T11:59:00Z","requestedSeconds":60}"""),
        new(Names.Interim, "POST", "sessions/f1/interim", """{"requestNumber":1,"usedSeconds":60,"requestedSeconds":60}"""),
        new(Names.Terminate, "POST", "sessions/f1/terminate", """{"requestNumber":2,"usedSeconds":30}"""),
        new(Names.TopUp, "POST", "accounts/pre/topups", """{"topupId":"t1","amount":5.5,"currency":"GBP"}"""),
        new(Names.PutAccount, "PUT", "accounts/fz", """{"name":"Fz","mode":"postpaid","currency":"GBP","creditLimit":500,"hardLimit":true,"initialBalance":0,"rateDeckId":"demo","billingDay":31,"timeZone":"Europe/London","tax":{"treatment":"standard","rate":0.2},"monitoring":{"thresholds":[0.5,0.8],"suspendAt":1.2},"paymentTermsDays":30}"""),
        new(Names.PostCdrs, "POST", "cdrs", """[{"cdrId":"z1","accountId":"post","callingNumber":"+441","calledNumber":"+4420","startTime":"2026-11-26T10:00:00Z","durationSeconds":10,"disposition":"ANSWERED","sessionId":"q"}]"""),
        new(Names.PostCdrs, "POST", "cdrs", "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\nz2,post,+441,+4420,2026-11-26T10:00:00Z,10,ANSWERED,\n", "text/csv"),
        new(Names.RunInvoices, "POST", "invoices/run", """{"period":"2026-10"}"""),
        new(Names.Suspend, "POST", "accounts/post/suspend", """{"reason":"x"}"""),
        new(Names.PutRateDeck, "PUT", "ratedecks/fz", "prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to\n44,UK,0.01,0,60,60,2026-01-01,\n", "text/csv"),
    ];

    private static readonly string[] MutationPieces =
    [
        "\uFEFF", "\\ud800", "\\udc00", "\\u0000", "\"", ",", "\r", "\n", "[", "{", "}", "]", "1e999", "-0", "😀", " ", "null", "99999999999999999999999999999",
        "0.00000000000000000000000000001", "\"\":1,", "\"x\":{\"y\":[", "true", "-", ".", "e", "\\", "%", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00",
    ];

    [Fact]
    public async Task Mutated_bodies_are_answered_alike_by_both_hosts_and_never_with_a_500()
    {
        var random = new Random(3232);
        var functionsClock = new FakeTimeProvider(HttpParityTests.Now);
        var localClock = new FakeTimeProvider(HttpParityTests.Now);
        await using var functions = new FunctionsApp(functionsClock);
        await using var local = await LocalHostRunner.StartAsync(localClock);
        var dispatch = HttpParityTests.Dispatch(functions);
        // The deck and accounts of the scenario, then seeded mutations of good bodies of every kind (inserted escapes, byte-order
        // marks, huge numbers, broken structure): the same answer from both, none a 500.
        foreach (var call in HttpParityTests.Scenario.Take(7))
        {
            await local.SendAsync(call);
            await functions.CallAsync(call, dispatch[call.Function](call));
        }

        var failures = new List<string>();
        for (var round = 0; round < 3000 && failures.Count < 10; round++)
        {
            var seed = MutationSeeds[random.Next(MutationSeeds.Length)];
            var body = new StringBuilder(seed.Body);
            for (var m = 0; m < random.Next(1, 4); m++)
            {
                var at = random.Next(body.Length + 1);
                switch (random.Next(3))
                {
                    case 0: body.Insert(at, MutationPieces[random.Next(MutationPieces.Length)]); break;
                    case 1 when body.Length > 0: var a = Math.Min(at, body.Length - 1); body.Remove(a, Math.Min(random.Next(1, 6), body.Length - a)); break;
                    default: if (at < body.Length) body[at] = (char)random.Next(32, 127); break;
                }
            }

            var call = seed with { Body = body.ToString() };
            var expected = await local.SendAsync(call);
            var actual = await functions.CallAsync(call, dispatch[call.Function](call));
            if (expected.Status >= 500 || expected != actual)
            {
                failures.Add($"{call} {call.Body}\n local: {expected}\n funcs: {actual}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
