namespace ServerlessBilling.Testing;

/// <summary>
/// A well-formed request for each route of the API (by its name and template), so that a walk over every route
/// against a frozen store reaches the store instead of stopping at a 400: the same walk for the local host and the
/// Functions app.
/// </summary>
public static class FrozenRouteCalls
{
    public const string SessionId = "frozen-every-route";

    /// <summary>The route's path under the API prefix, and its body (null: none) with the body's content type.</summary>
    public static (string Path, string? Body, string ContentType) For(string routeName, string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var path = template
            .Replace("{accountId}", "smb", StringComparison.Ordinal)
            .Replace("{sessionId}", SessionId, StringComparison.Ordinal)
            .Replace("{deckId}", "demo", StringComparison.Ordinal)
            .Replace("{invoiceId}", "smb.2026-10", StringComparison.Ordinal);
        return routeName switch
        {
            "Authorize" => (path, $$"""{"sessionId":"{{SessionId}}","accountId":"smb","calledNumber":"+33612345678"}""", Json),
            "Interim" => (path, """{"requestNumber":1,"usedSeconds":30,"requestedSeconds":60}""", Json),
            "Terminate" => (path, """{"requestNumber":1,"usedSeconds":30}""", Json),
            "PutAccount" => (path, """{"name":"SMB Telecom","mode":"prepaid","currency":"GBP","rateDeckId":"demo","timeZone":"Europe/London"}""", Json),
            "TopUp" => (path, $$"""{"topupId":"{{SessionId}}","amount":5}""", Json),
            "Suspend" => (path, """{"reason":"frozen"}""", Json),
            "PutRateDeck" => (path, "prefix,destination,rate,min_seconds,increment_seconds\n44,UK,0.01,0,1\n", Csv),
            "PostCdrs" => (path, "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition\nfrozen-1,smb,+441234567890,+33612345678,2026-11-02T10:00:00Z,60,ANSWERED\n", Csv),
            _ => (path, null, Json),
        };
    }

    private const string Json = "application/json";

    private const string Csv = "text/csv";
}
