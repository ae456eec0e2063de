using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessBilling.Api.Http;

/// <summary>The JSON settings of the contract: camelCase, numbers for decimals, strict on what comes in.</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            NumberHandling = JsonNumberHandling.Strict,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            MaxDepth = 16,
            // A key given twice is ambiguous (which amount did the caller mean?): refuse it rather than let the last win.
            AllowDuplicateProperties = false,
            Converters = { new NormalizedDecimalConverter(), new StrictTimeConverter(), new WholeNumberConverter() },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
