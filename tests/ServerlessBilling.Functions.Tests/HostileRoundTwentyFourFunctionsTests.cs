using ServerlessBilling.Functions.Ingestion;
using ServerlessBilling.Functions.Monitoring;

namespace ServerlessBilling.Functions.Tests;

/// <summary>
/// Round twenty-four of the hostile review, on the change-feed trigger. Spend monitoring fails a batch only on a store or
/// sink fault, and counts on its delivery again; but the host's retry policy (host.json: 5 retries, about a minute) ends
/// in "eventual failure", after which the Cosmos DB trigger writes its lease and moves on. An outage of the monitor or
/// alert store, or of the alert topic, longer than that minute lost the batch's verdicts: an account that crossed a
/// threshold, or its suspension level, with its last write of the batch was judged again only at its next write (never,
/// if none came in the period), where the local host's change feed processor retries the batch until it succeeds.
/// </summary>
public sealed class HostileRoundTwentyFourFunctionsTests
{
    [Fact]
    public void The_change_feed_function_retries_a_failed_batch_until_it_succeeds_as_the_cdr_function_does()
    {
        var retry = FunctionsMetadataTests.Functions.Value[SpendMonitorFunction.Name].GetProperty("retry");
        Assert.Equal("exponentialBackoff", retry.GetProperty("strategy").GetString());
        Assert.Equal(-1, retry.GetProperty("maxRetryCount").GetInt32());
        Assert.Equal(
            FunctionsMetadataTests.Functions.Value[CdrEventsFunction.Name].GetProperty("retry").GetRawText(),
            retry.GetRawText());
    }
}
