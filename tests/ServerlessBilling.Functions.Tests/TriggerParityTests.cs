using System.Text;
using Azure.Messaging.EventHubs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Functions.CreditControl;
using ServerlessBilling.Functions.Http;
using ServerlessBilling.Functions.Ingestion;
using ServerlessBilling.Functions.Invoicing;
using ServerlessBilling.Functions.Monitoring;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Cosmos;
using Names = ServerlessBilling.Api.ApiRoutes.Names;

namespace ServerlessBilling.Functions.Tests;

/// <summary>The Event Hubs and timer functions, called directly, leave the same state as the local host does for the same input.</summary>
public sealed class TriggerParityTests
{
    private const string Header = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id";

    private static readonly HttpCall[] Setup = [.. HttpParityTests.Scenario.Where(c => c.Function is Names.PutRateDeck or Names.PutAccount)];

    [Fact]
    public async Task A_batch_of_events_is_ingested_as_the_local_host_ingests_the_same_cdrs_posted()
    {
        var (functions, local) = await StartBothAsync();
        await using var _ = functions;
        await using var __ = local;
        string[] lines =
        [
            "e1,post,+442071234567,+33612345678,2026-11-26T10:00:00Z,342,ANSWERED,",
            "e2,post,+442071234567,+441234567890,2026-11-26T10:01:00Z,61,ANSWERED,",
            "e3,post,+442071234567,+999,2026-11-26T10:02:00Z,60,ANSWERED,",
            "e1,post,+442071234567,+33612345678,2026-11-26T10:00:00Z,342,ANSWERED,",
        ];
        // One event per CDR without a header (the adapter supplies the column order), one JSON CDR, one CSV with a header.
        EventData[] events =
        [
            .. lines.Select((l, i) => EventHubsModelFactory.EventData(new BinaryData(Encoding.UTF8.GetBytes(l)), sequenceNumber: i + 1, offsetString: "0")),
            EventHubsModelFactory.EventData(new BinaryData("""{"cdrId":"e5","accountId":"post","callingNumber":"+441","calledNumber":"+447700900123","startTime":"2026-11-26T10:03:00Z","durationSeconds":30,"disposition":"ANSWERED"}"""u8.ToArray()), sequenceNumber: 5, offsetString: "0"),
            EventHubsModelFactory.EventData(new BinaryData(Encoding.UTF8.GetBytes($"{Header}\ne6,post,+441,+4420,2026-11-26T10:04:00Z,90,ANSWERED,\n")), sequenceNumber: 6, offsetString: "0"),
        ];

        var result = await functions.Create<CdrEventsFunction>().Run(events, CancellationToken.None);

        var posted = (await local.SendAsync(new HttpCall(Names.PostCdrs, "POST", "cdrs",
            $"{Header}\n{string.Join('\n', lines)}\ne5,post,+441,+447700900123,2026-11-26T10:03:00Z,30,ANSWERED,\ne6,post,+441,+4420,2026-11-26T10:04:00Z,90,ANSWERED,\n",
            "text/csv"))).Json;
        Assert.Equal(
            (posted.GetProperty("received").GetInt32(), posted.GetProperty("accepted").GetInt32(), posted.GetProperty("duplicates").GetInt32(), posted.GetProperty("quarantined").GetArrayLength()),
            (result.Received, result.Accepted, result.Duplicates, result.Quarantined.Count));
        Assert.Equal((6, 4, 1, 1), (result.Received, result.Accepted, result.Duplicates, result.Quarantined.Count));

        // The rated usage and the balance each side then serves are the same.
        foreach (var read in (HttpCall[])[
            new(Names.Usage, "GET", "accounts/post/usage?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z"),
            new(Names.Balance, "GET", "accounts/post/balance")])
        {
            var expected = await local.SendAsync(read);
            Assert.Equal(200, expected.Status);
            Assert.Equal(expected, await functions.CallAsync(read, HttpParityTests.Dispatch(functions)[read.Function](read)));
        }
    }

    [Fact]
    public async Task The_sweeper_releases_an_expired_reservation_as_the_local_host_sweeper_does()
    {
        var functionsClock = new FakeTimeProvider(HttpParityTests.Now);
        var localClock = new FakeTimeProvider(HttpParityTests.Now);
        var (functions, local) = await StartBothAsync(functionsClock, localClock);
        await using var _ = functions;
        await using var __ = local;
        var authorize = new HttpCall(Names.Authorize, "POST", "authorize",
            """{"sessionId":"gone","accountId":"pre","calledNumber":"+33612345678","startTime":"2026-11-26T11:59:00Z","requestedSeconds":300}""");
        var balance = new HttpCall(Names.Balance, "GET", "accounts/pre/balance");
        var dispatch = HttpParityTests.Dispatch(functions);
        Assert.Equal(await local.SendAsync(authorize), await functions.CallAsync(authorize, dispatch[authorize.Function](authorize)));
        var sweeper = functions.Create<ReservationSweeperFunction>();

        // Before validity and grace have passed, a tick releases nothing.
        Assert.Equal(0, await sweeper.Run(new TimerInfo(), CancellationToken.None));
        Assert.True((await functions.CallAsync(balance, dispatch[balance.Function](balance))).Json.GetProperty("reserved").GetDecimal() > 0m);

        // Past validity (300 s) and grace (600 s): the function's tick and the local host's sweeper both release it.
        functionsClock.Advance(TimeSpan.FromMinutes(16));
        localClock.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(1, await sweeper.Run(new TimerInfo { IsPastDue = true }, CancellationToken.None));
        var expected = await WaitAsync(local, balance, b => b.Json.GetProperty("reserved").GetDecimal() == 0m);
        var actual = await functions.CallAsync(balance, dispatch[balance.Function](balance));
        Assert.Equal(0m, actual.Json.GetProperty("reserved").GetDecimal());
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task The_change_feed_function_raises_the_alerts_the_local_host_raises_for_the_same_charges()
    {
        var (functions, local) = await StartBothAsync(monitoring: true);
        await using var _ = functions;
        await using var __ = local;
        var dispatch = HttpParityTests.Dispatch(functions);
        var cdrs = new HttpCall(Names.PostCdrs, "POST", "cdrs",
            $"{Header}\nm1,post,+441,+447700900123,2026-11-26T10:00:00Z,36000,ANSWERED,\n", "text/csv");
        Assert.Equal(await local.SendAsync(cdrs), await functions.CallAsync(cdrs, dispatch[cdrs.Function](cdrs)));
        var big = new HttpCall(Names.PostCdrs, "POST", "cdrs",
            $"{Header}\nm2,post,+441,+336123,2026-11-26T10:00:00Z,86400,ANSWERED,\nm3,post,+441,+336124,2026-11-26T11:00:00Z,86400,ANSWERED,\n", "text/csv");
        Assert.Equal(await local.SendAsync(big), await functions.CallAsync(big, dispatch[big.Function](big)));

        // The trigger hands over the changed account document as the accounts container stores it.
        var state = (await functions.Services.GetRequiredService<IAccountStore>().GetAsync("post", default))!.Value;
        var documents = new[] { JsonSerializer.Deserialize<AccountFeedDocument>(AccountFeedDocument.Serialize(state), new JsonSerializerOptions(JsonSerializerDefaults.Web))! };
        var raised = await functions.Create<SpendMonitorFunction>().Run(documents, CancellationToken.None);
        Assert.True(raised >= 2, $"raised {raised}");
        Assert.Equal(0, await functions.Create<SpendMonitorFunction>().Run(documents, CancellationToken.None)); // delivered again: nothing more

        var alerts = new HttpCall(Names.Alerts, "GET", "alerts?accountId=post");
        var expected = await WaitAsync(local, alerts, a => a.Json.GetProperty("items").GetArrayLength() == raised);
        Assert.Equal(expected, await functions.CallAsync(alerts, dispatch[alerts.Function](alerts)));
    }

    [Fact]
    public async Task A_change_feed_document_that_cannot_be_read_holds_back_no_other_account_of_its_batch()
    {
        // One document whose state is not an account (written by hand, or by another program): its batch failed whole and,
        // retried without end, held back the judgment of every account of its lease range.
        var (functions, local) = await StartBothAsync(monitoring: true);
        await using var _ = functions;
        await using var __ = local;
        var dispatch = HttpParityTests.Dispatch(functions);
        var big = new HttpCall(Names.PostCdrs, "POST", "cdrs",
            $"{Header}\nu1,post,+441,+336123,2026-11-26T10:00:00Z,86400,ANSWERED,\nu2,post,+441,+336124,2026-11-26T11:00:00Z,86400,ANSWERED,\n", "text/csv");
        await functions.CallAsync(big, dispatch[big.Function](big));

        var state = (await functions.Services.GetRequiredService<IAccountStore>().GetAsync("post", default))!.Value;
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var unreadable = JsonSerializer.Deserialize<AccountFeedDocument>("""{"id":"odd","accountId":"odd","state":{"accountId":"odd","settings":12}}""", web)!;
        var documents = new[] { unreadable, JsonSerializer.Deserialize<AccountFeedDocument>(AccountFeedDocument.Serialize(state), web)! };
        var raised = await functions.Create<SpendMonitorFunction>().Run(documents, CancellationToken.None);
        Assert.True(raised >= 2, $"raised {raised}");
    }

    [Fact]
    public async Task The_invoice_timer_issues_the_invoice_the_local_host_issues_for_the_same_period()
    {
        var (functions, local) = await StartBothAsync();
        await using var _ = functions;
        await using var __ = local;
        var dispatch = HttpParityTests.Dispatch(functions);
        var october = new HttpCall(Names.PostCdrs, "POST", "cdrs",
            $"{Header}\ni1,post,+441,+33612345678,2026-10-20T10:00:00Z,342,ANSWERED,\ni2,post,+441,+442071234567,2026-10-21T10:00:00Z,61,ANSWERED,\n", "text/csv");
        Assert.Equal(await local.SendAsync(october), await functions.CallAsync(october, dispatch[october.Function](october)));

        // The timer runs the period that has just closed (October, on 26 November); the local host is asked for it by name.
        var summary = await functions.Create<InvoiceRunFunction>().Run(new TimerInfo(), CancellationToken.None);
        Assert.Equal(1, summary!.Invoices);
        var run = new HttpCall(Names.RunInvoices, "POST", "invoices/run", """{"period":"2026-10"}""");
        Assert.Equal(1, (await local.SendAsync(run)).Json.GetProperty("invoices").GetInt32());
        Assert.Equal(0, (await functions.Create<InvoiceRunFunction>().Run(new TimerInfo { IsPastDue = true }, CancellationToken.None))!.Invoices);

        var invoice = new HttpCall(Names.Invoice, "GET", "invoices/post.2026-10");
        var expected = await local.SendAsync(invoice);
        Assert.Equal(200, expected.Status);
        Assert.Equal(expected, await functions.CallAsync(invoice, dispatch[invoice.Function](invoice)));
    }

    private static async Task<(FunctionsApp Functions, LocalHostRunner Local)> StartBothAsync(FakeTimeProvider? functionsClock = null, FakeTimeProvider? localClock = null, bool monitoring = false)
    {
        var functions = new FunctionsApp(functionsClock ?? new FakeTimeProvider(HttpParityTests.Now));
        var local = await LocalHostRunner.StartAsync(localClock ?? new FakeTimeProvider(HttpParityTests.Now), monitoring: monitoring);
        var dispatch = HttpParityTests.Dispatch(functions);
        foreach (var call in Setup)
        {
            Assert.Equal(await local.SendAsync(call), await functions.CallAsync(call, dispatch[call.Function](call)));
        }

        return (functions, local);
    }

    /// <summary>The local host's sweeper runs on its own timer after the clock moves: wait (bounded) for its effect.</summary>
    private static async Task<Answer> WaitAsync(LocalHostRunner local, HttpCall call, Func<Answer, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var answer = await local.SendAsync(call);
            if (done(answer) || DateTime.UtcNow > deadline)
            {
                return answer;
            }

            await Task.Delay(20);
        }
    }
}
