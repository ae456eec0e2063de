using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>The Prometheus scrape endpoint counts what the API did.</summary>
public sealed class MetricsHttpTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private HttpClient Client => host.Client;

    [Fact]
    public async Task Authorize_answers_are_counted_by_result_and_timed()
    {
        const string granted = """billing_credit_control_answers_total{otel_scope_name="ServerlessBilling",operation="authorize",result="SUCCESS"}""";
        const string unknown = """billing_credit_control_answers_total{otel_scope_name="ServerlessBilling",operation="authorize",result="ACCOUNT_NOT_FOUND"}""";
        const string timed = """billing_authorize_duration_milliseconds_count{otel_scope_name="ServerlessBilling",result="SUCCESS"}""";
        var before = await ScrapeAsync();

        await AuthorizeAsync("smb");
        await AuthorizeAsync("smb");
        await AuthorizeAsync($"nobody-{Guid.NewGuid():N}");

        var after = await ScrapeUntilAsync(text => Value(text, unknown) >= Value(before, unknown) + 1 && Value(text, granted) >= Value(before, granted) + 2);
        Assert.True(Value(after, granted) >= Value(before, granted) + 2, after);
        Assert.True(Value(after, unknown) >= Value(before, unknown) + 1, after);
        Assert.True(Value(after, timed) >= Value(before, timed) + 2, after);
    }

    [Fact]
    public async Task Cdrs_are_counted_by_outcome()
    {
        const string accepted = """billing_cdrs_total{otel_scope_name="ServerlessBilling",outcome="accepted"}""";
        const string quarantined = """billing_cdrs_total{otel_scope_name="ServerlessBilling",outcome="quarantined"}""";
        var before = await ScrapeAsync();
        var id = Guid.NewGuid().ToString("N");
        var csv = $"""
            cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id
            {id}-1,acme,+442071234567,+33612345678,2026-11-26T10:00:00Z,60,ANSWERED,
            {id}-2,acme,+442071234567,+33612345678,2026-11-26T10:00:00Z,-1,ANSWERED,

            """;
        using var response = await Client.PostAsync("/api/cdrs", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var after = await ScrapeUntilAsync(text => Value(text, quarantined) >= Value(before, quarantined) + 1);
        Assert.True(Value(after, accepted) >= Value(before, accepted) + 1, after);
        Assert.True(Value(after, quarantined) >= Value(before, quarantined) + 1, after);
    }

    [Fact]
    public async Task Charges_are_counted_with_their_amount_by_currency_and_what_settled_them()
    {
        const string sessions = """billing_charges_total{otel_scope_name="ServerlessBilling",currency="GBP",settled_by="session"}""";
        const string amount = """billing_charges_amount_total{otel_scope_name="ServerlessBilling",currency="GBP",settled_by="session"}""";
        var before = await ScrapeAsync();
        var session = $"metrics-charge-{Guid.NewGuid():N}";
        var authorize = $$"""{"sessionId":"{{session}}","accountId":"smb","calledNumber":"+33612345678","requestedSeconds":60}""";
        using var granted = await Client.PostAsync("/api/authorize", new StringContent(authorize, Encoding.UTF8, "application/json"));
        using var terminated = await Client.PostAsync($"/api/sessions/{session}/terminate", new StringContent("""{"requestNumber":1,"usedSeconds":60}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, terminated.StatusCode);
        var charge = (double)System.Text.Json.JsonDocument.Parse(await terminated.Content.ReadAsStringAsync()).RootElement.GetProperty("charge").GetDecimal();

        var after = await ScrapeUntilAsync(text => Value(text, sessions) >= Value(before, sessions) + 1);
        Assert.True(charge > 0, "the demo deck rates the call");
        Assert.True(Value(after, sessions) >= Value(before, sessions) + 1, after);
        Assert.True(Value(after, amount) >= Value(before, amount) + charge - 1e-9, after);
    }

    private static double Value(string scrape, string series)
    {
        var match = Regex.Match(scrape, "^" + Regex.Escape(series) + @" (\S+)", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    private async Task AuthorizeAsync(string account)
    {
        var body = $$"""{"sessionId":"metrics-{{Guid.NewGuid():N}}","accountId":"{{account}}","calledNumber":"+33612345678","requestedSeconds":0}""";
        using var response = await Client.PostAsync("/api/authorize", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<string> ScrapeAsync()
    {
        using var response = await Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    // The exporter caches a scrape for a short while, so a fresh count may take a moment to show.
    private async Task<string> ScrapeUntilAsync(Func<string, bool> done)
    {
        var text = await ScrapeAsync();
        for (var i = 0; i < 40 && !done(text); i++)
        {
            await Task.Delay(100);
            text = await ScrapeAsync();
        }

        return text;
    }
}
