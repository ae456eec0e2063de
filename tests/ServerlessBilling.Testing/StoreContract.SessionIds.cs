using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Testing;

/// <summary>
/// Session ids are SIP Call-IDs: any RFC 3261 Call-ID (<c>/ \ ? " %</c> and 256 characters included) must work on
/// every store, and two ids must never share a record, however a store maps them to its own ids.
/// </summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task A_call_id_with_every_rfc3261_character_is_authorized_charged_replayed_and_settled_by_its_cdr()
    {
        var harness = NewHarness(new CreditControlOptions { ClosedSessionsKept = 1 });
        var account = await harness.OpenAsync(NewId("callid"), Fixtures.Prepaid(NewId("deck")), 10m);
        var session = Fixtures.CallId(Guid.NewGuid().ToString("N"));
        Assert.Equal(256, session.Length);

        var grant = (await harness.AuthorizeAsync(account, session, "+447700900123", 120)).Answer!;
        Assert.Equal((ResultCode.Success, 120, session), (grant.ResultCode, grant.GrantedSeconds, grant.SessionId));
        Assert.Equal(60, (await harness.InterimAsync(session, 1, 60, 60)).Answer!.GrantedSeconds);
        var end = (await harness.TerminateAsync(session, 2, 30)).Answer!;
        Assert.Equal(2.00m, end.Charge); // 90 s at 1.00/min, 60/60

        // Another session pushes this one out of the account document: its replay is answered from the session index.
        var other = Fixtures.CallId(Guid.NewGuid().ToString("N"), 80);
        await harness.AuthorizeAsync(account, other, "+447700900123", 60);
        await harness.TerminateAsync(other, 1, 60);
        Assert.DoesNotContain(session, (await harness.StateAsync(account)).Sessions.Keys);
        Assert.Equal(grant, (await harness.AuthorizeAsync(account, session, "+447700900123", 120)).Answer);
        Assert.Equal(end, (await harness.TerminateAsync(session, 2, 30)).Answer);

        // Its CDR (the id quoted in CSV, for the '"' it holds) settles nothing twice.
        var quoted = "\"" + session.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var csv = $"""
            {Fixtures.CdrHeader}
            cdr-{Guid.NewGuid():N},{account},+441234,+447700900123,{Fixtures.Now:O},90,ANSWERED,{quoted}
            """;
        Assert.Equal(1, (await harness.IngestCsvAsync(csv)).Accepted);
        var state = await harness.StateAsync(account);
        Fixtures.AssertConserved(state);
        Assert.Equal((10m - 2m - 1m, 0m, 0), (state.Balance, state.Reserved, state.ActiveSessions));
    }

    [Fact]
    public async Task Session_ids_that_differ_only_in_characters_a_store_must_map_are_kept_apart()
    {
        var unique = Guid.NewGuid().ToString("N");
        // '/', '?', '\' and '#' cannot be a Cosmos DB id; "%2F" is what an escaping store might turn '/' into.
        string[] ids = [$"{unique}/a", $"{unique}?a", $"{unique}\\a", $"{unique}#a", $"{unique}%2Fa", $"{unique}_a"];
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal(new SessionClaim($"acc-{i}", IsNew: true), await Sessions.ClaimAsync(ids[i], $"acc-{i}", default));
        }

        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal(new SessionClaim($"acc-{i}", IsNew: false), await Sessions.ClaimAsync(ids[i], "someone-else", default));
            Assert.Equal($"acc-{i}", await Sessions.FindAccountAsync(ids[i], default));
            Assert.Null(await Sessions.FindClosedAsync(ids[i], default));
        }

        var closed = ClosedAt(ids[0], "acc-0");
        await Sessions.RecordClosedAsync(closed, default);
        Assert.Equal(ids[0], (await Sessions.FindClosedAsync(ids[0], default))?.SessionId);
        foreach (var id in ids[1..])
        {
            Assert.Null(await Sessions.FindClosedAsync(id, default));
        }
    }

    private static ClosedSession ClosedAt(string sessionId, string accountId)
    {
        var grant = new GrantAnswer(sessionId, ResultCode.Success, 60, 60, false, 1m, 1m, "GBP", 9m);
        return new ClosedSession(accountId, new Session
        {
            SessionId = sessionId, Fingerprint = $"{accountId}|+44|+447700900123|", StartTime = Fixtures.Now, Prefix = "44",
            Destination = "United Kingdom", Tariff = new Core.Rating.Tariff(1m, 0m, 60, 60), Status = SessionStatus.Expired,
            ExpiresAt = Fixtures.Now.AddMinutes(3), ClosedAt = Fixtures.Now.AddMinutes(3), AuthorizeAnswer = grant,
        });
    }
}
