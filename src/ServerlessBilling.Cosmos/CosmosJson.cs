using System.Text.Json;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos;

/// <summary>The documents' JSON: the shape every document store shares (<see cref="StoredJson"/>).</summary>
internal static class CosmosJson
{
    public static readonly JsonSerializerOptions Options = StoredJson.Options;
}
