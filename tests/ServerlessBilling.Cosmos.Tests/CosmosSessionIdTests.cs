using System.Text.Json;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Cosmos.Tests;

/// <summary>How a session id becomes a Cosmos DB id: unchanged when it was valid before the rule widened, hashed otherwise.</summary>
public sealed class CosmosSessionIdMappingTests
{
    [Theory]
    [InlineData("call-123")]
    [InlineData("a84b4c76e66710@pc33.atlanta.com")]
    [InlineData("diameter.example.com;1096298391;1")]
    public void A_session_id_valid_before_the_rule_widened_keeps_its_document_id(string sessionId)
    {
        Assert.Equal(sessionId, CosmosSessionIds.DocumentId(sessionId));
    }

    [Fact]
    public void An_id_of_the_full_length_without_path_characters_keeps_its_document_id()
    {
        var longest = new string('a', Identifiers.MaxLength);
        Assert.Equal(longest, CosmosSessionIds.DocumentId(longest));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a?b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    public void A_session_id_a_cosmos_id_cannot_hold_is_hashed_to_one_no_plain_id_can_equal(string sessionId)
    {
        var id = CosmosSessionIds.DocumentId(sessionId);
        Assert.Equal(Identifiers.MaxLength + 1, id.Length);
        Assert.True(id.Length <= 255);
        Assert.Equal(-1, id.AsSpan().IndexOfAny("/\\?#"));
        Assert.NotEqual(id, CosmosSessionIds.DocumentId(sessionId + "x"));
    }

    [Fact]
    public void A_call_id_of_256_characters_fits_a_cosmos_id()
    {
        Assert.Equal(Identifiers.MaxLength + 1, CosmosSessionIds.DocumentId(Fixtures.CallId("x")).Length);
        Assert.Equal(Identifiers.MaxLength + 1, CosmosSessionIds.DocumentId(new string('a', Identifiers.MaxSessionLength)).Length);
    }
}

/// <summary>The stored documents themselves, on the emulator: what an operator finds in the sessions container.</summary>
[Collection(CosmosCollection.Name)]
public sealed class CosmosSessionDocumentTests(CosmosFixture cosmos)
{
    [Fact]
    public async Task A_plain_session_id_is_its_document_id_and_a_call_id_is_stored_under_its_hash()
    {
        var container = cosmos.Database.GetContainer(cosmos.Options.SessionsContainer);
        var plain = $"plain-{Guid.NewGuid():N}";
        var callId = Fixtures.CallId(Guid.NewGuid().ToString("N"));
        await cosmos.Sessions.ClaimAsync(plain, "acc-plain", default);
        await cosmos.Sessions.ClaimAsync(callId, "acc-callid", default);

        Assert.Equal("acc-plain", await AccountOf(container, plain));
        Assert.Equal("acc-callid", await AccountOf(container, CosmosSessionIds.DocumentId(callId)));
    }

    private static async Task<string?> AccountOf(Container container, string id)
    {
        var read = await container.ReadItemAsync<JsonElement>(id, new PartitionKey(id));
        return read.Resource.GetProperty("accountId").GetString();
    }
}
