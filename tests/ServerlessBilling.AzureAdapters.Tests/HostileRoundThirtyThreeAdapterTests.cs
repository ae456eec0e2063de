using System.Text;
using Azure.Messaging.EventHubs;
using ServerlessBilling.AzureAdapters.EventHubs;

namespace ServerlessBilling.AzureAdapters.Tests;

/// <summary>
/// Round thirty-three: a CSV header's column names match without regard to underscores too (<c>cdrId</c>, the API's
/// name, is <c>cdr_id</c>). An event is told headered by its <c>cdr_id</c> column, so an event whose header spells it so
/// must be read under its header, not as headerless lines whose first (the header) is quarantined and whose other
/// columns are taken in the default order.
/// </summary>
public sealed class HostileRoundThirtyThreeAdapterTests
{
    [Fact]
    public void An_event_whose_header_names_the_columns_as_the_api_does_is_read_under_its_header()
    {
        var body = "sessionId,disposition,durationSeconds,startTime,calledNumber,callingNumber,accountId,cdrId\n"
            + "call-1,ANSWERED,42,2026-11-26T10:00:00Z,+33612345678,+442071234567,acme,c-1\n";

        var record = Assert.Single(CdrEventBatchHandler.Read(new EventData(Encoding.UTF8.GetBytes(body))));

        Assert.NotNull(record.Cdr);
        Assert.Equal(("c-1", "acme", 42, "call-1", 2), (record.Cdr.CdrId, record.Cdr.AccountId, record.Cdr.DurationSeconds, record.Cdr.SessionId, record.Line));
    }
}
