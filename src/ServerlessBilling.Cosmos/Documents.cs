using System.Text.Json.Serialization;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos;

/// <summary>The account document: the core's state, plus the fields Cosmos needs (id, partition key, query keys).</summary>
internal sealed record AccountDocument(
    [property: JsonPropertyName("id")] string Id,
    string AccountId,
    AccountState State,
    long? NextExpiryMs)
{
    public static AccountDocument From(AccountState state) =>
        new(state.AccountId, state.AccountId, state, state.NextExpiry?.ToUnixTimeMilliseconds());
}

/// <summary>
/// Which account a session belongs to (container partitioned by /id). <see cref="WrittenAt"/>: when it was last written,
/// from which its time to live counts (absent on documents written before it was kept: then <see cref="CreatedAt"/>).
/// </summary>
internal sealed record SessionDocument(
    [property: JsonPropertyName("id")] string Id, string AccountId, DateTimeOffset CreatedAt, ClosedSession? Closed = null, DateTimeOffset? WrittenAt = null)
{
    [JsonIgnore]
    public DateTimeOffset LastWritten => WrittenAt ?? CreatedAt;
}

/// <summary>The head of a deck: which version's chunks are current. Rewritten last, so a reader sees a whole deck.</summary>
internal sealed record DeckHeadDocument([property: JsonPropertyName("id")] string Id, string DeckId, string Version, int Chunks, int Rows);

internal sealed record DeckChunkDocument([property: JsonPropertyName("id")] string Id, string DeckId, IReadOnlyList<DeckRowDocument> Rows);

internal sealed record DeckRowDocument(string P, string D, decimal R, decimal C, int M, int I, DateOnly? F, DateOnly? T, int L)
{
    public static DeckRowDocument From(RateDeckRow row) =>
        new(row.Prefix, row.Destination, row.Tariff.RatePerMinute, row.Tariff.ConnectFee, row.Tariff.MinSeconds, row.Tariff.IncrementSeconds, row.EffectiveFrom, row.EffectiveTo, row.Line);

    public RateDeckRow ToRow() => new(P, D, new Tariff(R, C, M, I), F, T, L);
}
