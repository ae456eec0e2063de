using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Core;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Cosmos.Tests;

/// <summary>
/// The sessions container forgets a claim its time to live after it was last written. A call its switch keeps
/// reporting on outlives that: its claim is written again when an interim finds it past half its time to live, so
/// every process (Functions instance), even one that never saw the call, still finds it. Here on real time, with a
/// container whose documents live 6 s.
/// </summary>
[Collection(CosmosCollection.Name)]
public sealed class CosmosLongCallTests(CosmosFixture cosmos)
{
    private const int TimeToLiveSeconds = 6;
    private const string Uk = "+447700900123"; // 1.00 per 60/60 minute in the fixture deck

    [Fact]
    public async Task A_call_reported_on_past_its_claims_time_to_live_is_found_by_every_process()
    {
        Container container = await cosmos.Database.CreateContainerAsync(
            new ContainerProperties($"sessions-ttl-{Guid.NewGuid():N}", "/id") { DefaultTimeToLive = TimeToLiveSeconds });
        try
        {
            CreditControlHarness Process() =>
                new(cosmos.Accounts, new CosmosSessionIndex(container, TimeProvider.System, TimeToLiveSeconds), cosmos.Decks);

            var here = Process();
            var account = await here.OpenAsync($"long-{Guid.NewGuid():N}", Fixtures.Prepaid($"deck-{Guid.NewGuid():N}"), 10m);
            var other = await here.OpenAsync($"other-{Guid.NewGuid():N}", Fixtures.Prepaid($"deck-{Guid.NewGuid():N}"), 10m);
            var session = $"long-call-{Guid.NewGuid():N}";
            Assert.Equal(ResultCode.Success, (await here.AuthorizeAsync(account, session, Uk, 60)).Answer!.ResultCode);

            // 4 s apart: past half the time to live each time, and the last two past the time to live of the claim.
            await Task.Delay(TimeSpan.FromSeconds(4));
            Assert.Equal(60, (await here.InterimAsync(session, 1, 60, 60)).Answer?.GrantedSeconds);
            await Task.Delay(TimeSpan.FromSeconds(4));
            var interim = await Process().InterimAsync(session, 2, 60, 60);
            Assert.True(interim.Answer is { ResultCode: ResultCode.Success, GrantedSeconds: 60 }, $"a process that never saw the call: {interim.Error}");
            await Task.Delay(TimeSpan.FromSeconds(4));
            Assert.Equal(OutcomeErrorKind.Conflict, (await Process().AuthorizeAsync(other, session, Uk, 60)).Error?.Kind);
            var end = await Process().TerminateAsync(session, 3, 30);

            Assert.True(end.Answer is not null, $"terminate: {end.Error}");
            Assert.Equal((150, 3.00m), (end.Answer.TotalSeconds, end.Answer.Charge));
            Assert.Equal(end.Answer, (await here.TerminateAsync(session, 3, 30)).Answer);
            var state = await here.StateAsync(account);
            Fixtures.AssertConserved(state);
            Assert.Equal((7.00m, 0m, 0), (state.Balance, state.Reserved, state.ActiveSessions));
        }
        finally
        {
            await container.DeleteContainerAsync();
        }
    }

    /// <summary>
    /// On the fixture's container (7 days) and a fake clock: a call reporting daily has its claim written again on
    /// day 4 and day 8 only (each time past 3.5 days since the last write), and the interims between write nothing.
    /// </summary>
    [Fact]
    public async Task A_long_calls_claim_is_written_again_once_per_half_time_to_live_and_not_between()
    {
        var container = cosmos.Database.GetContainer(cosmos.Options.SessionsContainer);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var harness = new CreditControlHarness(
            cosmos.Accounts, new CosmosSessionIndex(container, clock, cosmos.Options.SessionTimeToLiveSeconds), cosmos.Decks, clock: clock);
        var account = await harness.OpenAsync($"long-{Guid.NewGuid():N}", Fixtures.Prepaid($"deck-{Guid.NewGuid():N}"), 100m);
        var session = $"long-call-{Guid.NewGuid():N}";
        var id = CosmosSessionIds.DocumentId(session);
        async Task<string> ETag() => (await container.ReadItemAsync<JsonElement>(id, new PartitionKey(id))).ETag;

        Assert.Equal(ResultCode.Success, (await harness.AuthorizeAsync(account, session, Uk, 60)).Answer!.ResultCode);
        var etag = await ETag();
        var rewritten = new List<int>();
        for (var day = 1; day <= 9; day++)
        {
            clock.Advance(TimeSpan.FromDays(1));
            Assert.Equal(ResultCode.Success, (await harness.InterimAsync(session, day, 60, 60)).Answer?.ResultCode);
            if (await ETag() is var now && now != etag)
            {
                rewritten.Add(day);
                etag = now;
            }
        }

        Assert.Equal([4, 8], rewritten);
        Assert.Equal(10.00m, (await harness.TerminateAsync(session, 10, 60)).Answer?.Charge);
    }
}
