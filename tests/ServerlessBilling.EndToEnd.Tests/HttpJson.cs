using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>Calls the tests expect to succeed: the JSON answer, or a failed assertion that shows what came back.</summary>
internal static class HttpJson
{
    public static async Task<JsonElement> PostOkAsync(this HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<JsonElement> GetOkAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Asserts a problem+json answer of <paramref name="expected"/> status whose detail names <paramref name="detailNames"/>; disposes the answer.</summary>
    public static async Task ExpectProblemAsync(this HttpResponseMessage response, HttpStatusCode expected, string detailNames)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(detailNames, JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }
}
