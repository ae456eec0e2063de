using System.Text.Json;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// The usage listing serves the stored record as it is, so its stored and wire forms are one shape; records stored
/// before the field was named <c>settledBy</c> still read back.
/// </summary>
public sealed class UsageRecordJsonTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    private static UsageRecord Record(Settlement settledBy) => new(
        "c-1", "acme", "s-1", "+33612345678", Start, 342, "ANSWERED", "336", "France Mobile", 342, 1.378m, "GBP",
        "2026-11", settledBy, null, Start.AddMinutes(6));

    [Theory]
    [InlineData(Settlement.Cdr, "cdr")]
    [InlineData(Settlement.Session, "session")]
    public void On_the_wire_settledBy_is_its_contract_name(Settlement settledBy, string wire)
    {
        var json = JsonDocument.Parse(JsonSerializer.Serialize(Record(settledBy), JsonSerializerOptions.Web)).RootElement;
        Assert.Equal(wire, json.GetProperty("settledBy").GetString());
        Assert.False(json.TryGetProperty("settlement", out _));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("note").ValueKind);
        Assert.Equal(1.378m, json.GetProperty("charge").GetDecimal());
    }

    [Theory]
    [InlineData(Settlement.Cdr)]
    [InlineData(Settlement.Session)]
    public void A_stored_record_reads_back_equal(Settlement settledBy)
    {
        var stored = JsonSerializer.Serialize(Record(settledBy), StoredJson.Options);
        Assert.DoesNotContain("\"settlement\"", stored, StringComparison.Ordinal);
        Assert.Equal(Record(settledBy), JsonSerializer.Deserialize<UsageRecord>(stored, StoredJson.Options));
    }

    [Fact]
    public void A_record_stored_under_the_old_field_name_keeps_its_settlement()
    {
        var stored = JsonSerializer.Serialize(Record(Settlement.Session), StoredJson.Options)
            .Replace("\"settledBy\":\"session\"", "\"settlement\":\"session\"", StringComparison.Ordinal);
        Assert.Contains("\"settlement\":\"session\"", stored, StringComparison.Ordinal);
        Assert.Equal(Record(Settlement.Session), JsonSerializer.Deserialize<UsageRecord>(stored, StoredJson.Options));
    }
}
