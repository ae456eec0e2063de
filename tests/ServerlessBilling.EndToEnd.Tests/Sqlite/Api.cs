using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ServerlessBilling.EndToEnd.Tests.Sqlite;

/// <summary>The few API calls the restart tests make, each asserting a success status with the body in the message.</summary>
internal static class Api
{
    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return await ReadAsync(response, path);
    }

    public static async Task<JsonElement> PostJsonAsync(this HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        return await ReadAsync(response, path);
    }

    public static async Task<JsonElement> PostCsvAsync(this HttpClient client, string csv)
    {
        using var response = await client.PostAsync("/api/cdrs", new StringContent(csv, Encoding.UTF8, "text/csv"));
        return await ReadAsync(response, "/api/cdrs");
    }

    public static async Task PutPrepaidAsync(this HttpClient client, string account, decimal opening)
    {
        using var response = await client.PutAsJsonAsync($"/api/accounts/{account}", new
        {
            name = "Restart Test", mode = "prepaid", currency = "GBP", initialBalance = opening, rateDeckId = "demo",
            billingDay = 1, timeZone = "Europe/London", tax = new { treatment = "standard", rate = 0.20 },
        });
        await ReadAsync(response, $"/api/accounts/{account}");
    }

    public static Task<JsonElement> BalanceAsync(this HttpClient client, string account) => client.GetJsonAsync($"/api/accounts/{account}/balance");

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, string path)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
