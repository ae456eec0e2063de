using ServerlessBilling.Api.Contracts;

namespace ServerlessBilling.Local.Hosting.OpenApi;

/// <summary>A query parameter of an operation.</summary>
public sealed record QueryParameter(string Name, string Description, bool Required = false);

/// <summary>
/// What the OpenAPI document says about one route: the handlers read their bodies themselves (to answer a
/// malformed body with a precise 400), so the request and answer shapes cannot be inferred and are declared here.
/// </summary>
/// <param name="Method">HTTP method, upper case.</param>
/// <param name="Route">The route pattern without the leading slash, as the API maps it.</param>
public sealed record ApiOperation(
    string Method,
    string Route,
    string Tag,
    string Summary,
    Type? Request,
    string? RequestExample,
    Type Answer,
    string AnswerExample,
    IReadOnlyDictionary<int, string> Errors)
{
    /// <summary>The body's media types when it is not JSON alone.</summary>
    public IReadOnlyList<string> RequestContentTypes { get; init; } = ["application/json"];

    /// <summary>The JSON body's required fields (the wire types are all nullable, so that a missing field is reported by name).</summary>
    public IReadOnlyList<string> RequiredFields { get; init; } = [];

    /// <summary>The answer's media types when it is a document rather than JSON (then the answer type is unused, and the example is the text/csv one).</summary>
    public IReadOnlyList<string>? AnswerContentTypes { get; init; }

    /// <summary>The example of a text/csv body.</summary>
    public string? CsvExample { get; init; }

    public IReadOnlyList<QueryParameter> Query { get; init; } = [];

    public string Key => $"{Method} {Route}";
}

/// <summary>The routes of the HTTP API as the OpenAPI document describes them; examples use the demo data.</summary>
public static class ApiOperations
{
    private const string Unavailable = "the store did not answer in time; retry (never a grant)";

    private const string GrantExample = """
        { "sessionId": "call-1", "resultCode": "SUCCESS", "grantedSeconds": 300, "validitySeconds": 300,
          "finalUnit": false, "reservedAmount": 1.21, "ratePerMinute": 0.24, "currency": "GBP", "availableAfter": 98.79 }
        """;

    private const string BalanceExample = """
        { "accountId": "smb", "name": "SMB Telecom", "mode": "prepaid", "status": "active", "currency": "GBP", "balance": 99.822,
          "reserved": 0, "available": 99.822, "creditLimit": null, "periodStart": "2026-11-01T00:00:00+00:00",
          "periodSpend": 0.178, "activeSessions": 0 }
        """;

    public static IReadOnlyList<ApiOperation> All { get; } =
    [
        new("POST", "api/authorize", "credit control", "Authorize a call: rate the destination, reserve credit, grant seconds",
            typeof(AuthorizeBody),
            """{ "sessionId": "call-1", "accountId": "smb", "callingNumber": "+442071234567", "calledNumber": "+33612345678", "startTime": "2026-11-26T10:00:00Z", "requestedSeconds": 300 }""",
            typeof(Core.CreditControl.GrantAnswer), GrantExample,
            new Dictionary<int, string> { [400] = "a field is missing or invalid", [409] = "the session id was used with other parameters", [503] = Unavailable })
        {
            RequiredFields = ["sessionId", "accountId", "calledNumber"],
        },
        new("POST", "api/sessions/{sessionId}/interim", "credit control", "Report use since the last report and ask for a new grant",
            typeof(InterimBody), """{ "requestNumber": 1, "usedSeconds": 300, "requestedSeconds": 300 }""",
            typeof(Core.CreditControl.GrantAnswer), GrantExample,
            new Dictionary<int, string> { [400] = "a field is missing or invalid", [404] = "the session was never authorized", [409] = "the request number is out of sequence, or the session is terminated", [503] = Unavailable })
        {
            RequiredFields = ["requestNumber", "usedSeconds"],
        },
        new("POST", "api/sessions/{sessionId}/terminate", "credit control", "End the call: charge the whole call and release the rest",
            typeof(TerminateBody), """{ "requestNumber": 1, "usedSeconds": 42 }""",
            typeof(Core.CreditControl.TerminateAnswer),
            """{ "sessionId": "call-1", "resultCode": "SUCCESS", "totalSeconds": 42, "billedSeconds": 42, "charge": 0.178, "currency": "GBP", "balance": 99.822 }""",
            new Dictionary<int, string> { [400] = "a field is missing or invalid", [404] = "the session was never authorized (its CDR charges the call)", [409] = "the request number is out of sequence", [503] = Unavailable })
        {
            RequiredFields = ["requestNumber", "usedSeconds"],
        },
        new("GET", "api/accounts/{accountId}/balance", "accounts", "Balance, reservations and spend of the current period",
            null, null, typeof(Core.Accounts.BalanceView), BalanceExample,
            new Dictionary<int, string> { [400] = "the account id is invalid", [404] = "the account does not exist", [503] = Unavailable }),
        new("PUT", "api/accounts/{accountId}", "accounts", "Create an account or change its settings",
            typeof(AccountBody),
            """{ "name": "Acme Ltd", "mode": "postpaid", "currency": "GBP", "creditLimit": 5000, "hardLimit": false, "initialBalance": 0, "rateDeckId": "demo", "billingDay": 1, "timeZone": "Europe/London", "tax": { "treatment": "standard", "rate": 0.20 } }""",
            typeof(Core.Accounts.BalanceView), BalanceExample,
            new Dictionary<int, string> { [400] = "a setting is missing or invalid (each is listed)", [409] = "the account holds money in another currency", [503] = Unavailable })
        {
            RequiredFields = ["mode", "currency", "rateDeckId"],
        },
        new("POST", "api/accounts/{accountId}/topups", "accounts", "Add credit (idempotent on topupId)",
            typeof(TopUpBody), """{ "topupId": "t-1", "amount": 50 }""",
            typeof(Core.Accounts.BalanceView), BalanceExample,
            new Dictionary<int, string> { [400] = "the amount or the top-up id is invalid", [404] = "the account does not exist", [409] = "the top-up id was used with another amount", [503] = Unavailable })
        {
            RequiredFields = ["topupId", "amount"],
        },
        new("PUT", "api/ratedecks/{deckId}", "rate decks", "Import or replace a rate deck (CSV)",
            null, null,
            typeof(RateDeckResponse), """{ "deckId": "demo", "rows": 2 }""",
            new Dictionary<int, string> { [400] = "the deck has bad lines (each listed with its line number)", [503] = Unavailable })
        {
            RequestContentTypes = ["text/csv"],
            CsvExample = """
            prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to
            44,United Kingdom,0.0100,0,60,60,,
            4420,United Kingdom London,0.0080,0,30,6,2026-01-01,
            """,
        },
        new("GET", "api/accounts", "accounts", "List accounts by id, a page at a time, with their balance figures",
            null, null, typeof(AccountListResponse),
            """{ "accounts": [ { "accountId": "acme", "name": "Acme Ltd", "mode": "postpaid", "status": "active", "currency": "GBP", "balance": -12.5, "reserved": 1.2, "available": 4986.3, "creditLimit": 5000, "periodSpend": 12.5, "activeSessions": 1 } ], "continuation": "cDE6YWNtZQ" }""",
            new Dictionary<int, string> { [400] = "limit or continuation is invalid", [503] = Unavailable })
        {
            Query =
            [
                new("limit", "at most this many accounts, 1 to 1000 (default 50)"),
                new("continuation", "the continuation of the previous page, unchanged (none: the first page); null in an answer means the last page"),
            ],
        },
        new("GET", "api/accounts/{accountId}", "accounts", "An account's settings, in the shape PUT takes, and its status",
            null, null, typeof(AccountSettingsResponse),
            """{ "accountId": "acme", "name": "Acme Ltd", "mode": "postpaid", "currency": "GBP", "creditLimit": 5000, "hardLimit": false, "rateDeckId": "demo", "billingDay": 1, "timeZone": "Europe/London", "tax": { "treatment": "standard", "rate": 0.20 }, "monitoring": null, "paymentTermsDays": 30, "status": "active" }""",
            new Dictionary<int, string> { [400] = "the account id is invalid", [404] = "the account does not exist", [503] = Unavailable }),
        new("GET", "api/ratedecks", "rate decks", "List rate decks by id, with their row counts",
            null, null, typeof(RateDeckListResponse), """{ "decks": [ { "deckId": "demo", "rows": 2 } ] }""",
            new Dictionary<int, string> { [503] = Unavailable }),
        new("GET", "api/ratedecks/{deckId}", "rate decks", "Export a rate deck as the CSV that PUT imports",
            null, null, typeof(string),
            """
            prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to
            44,United Kingdom,0.0100,0,60,60,,
            4420,United Kingdom London,0.0080,0,30,6,2026-01-01,
            """,
            new Dictionary<int, string> { [400] = "the deck id is invalid", [404] = "the deck does not exist", [503] = Unavailable })
        {
            AnswerContentTypes = ["text/csv"],
        },
        new("POST", "api/cdrs", "CDRs", "Ingest a batch of CDRs (CSV, or a JSON array of the same fields)",
            typeof(IReadOnlyList<CdrBody>),
            """[ { "cdrId": "c-1", "accountId": "acme", "callingNumber": "+442071234567", "calledNumber": "+33612345678", "startTime": "2026-11-26T10:00:00Z", "durationSeconds": 342, "disposition": "ANSWERED", "sessionId": null } ]""",
            typeof(IngestResponse),
            """{ "received": 3, "accepted": 1, "duplicates": 1, "quarantined": [ { "cdrId": "c-3", "line": 4, "reason": "duration_seconds must not be negative" } ] }""",
            new Dictionary<int, string> { [400] = "the body is not a CDR batch (a bad line is quarantined instead)", [503] = Unavailable })
        {
            RequestContentTypes = ["text/csv", "application/json"],
            CsvExample = """
            cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id
            c-1,acme,+442071234567,+33612345678,2026-11-26T10:00:00Z,342,ANSWERED,
            """,
        },
        new("GET", "api/accounts/{accountId}/usage", "CDRs", "Rated usage of an account, oldest first (or newest first with order=newest)",
            null, null, typeof(UsageListResponse),
            """{ "accountId": "acme", "from": "2026-11-01T00:00:00+00:00", "to": "2026-12-01T00:00:00+00:00", "items": [ { "cdrId": "c-1", "accountId": "acme", "sessionId": null, "calledNumber": "+33612345678", "startTime": "2026-11-26T10:00:00+00:00", "durationSeconds": 342, "disposition": "ANSWERED", "prefix": "336", "destination": "France Mobile", "billedSeconds": 342, "charge": 1.378, "currency": "GBP", "period": "2026-11", "settledBy": "cdr", "note": null, "appliedAt": "2026-11-26T10:06:01+00:00" } ], "continuation": null }""",
            new Dictionary<int, string> { [400] = "from, to, limit, order or continuation is invalid (also a continuation of the other order)", [503] = Unavailable })
        {
            Query =
            [
                new("from", "start of the range, ISO 8601 with offset (inclusive); default: the beginning"),
                new("to", "end of the range, ISO 8601 with offset (exclusive); default: no end"),
                new("limit", "at most this many records, 1 to 10000 (default 1000)"),
                new("order", "oldest (default): by start time, oldest first; newest: by start time, newest first; ties by CDR id either way"),
                new("continuation", "the continuation of the previous page, unchanged, with the same from, to and order (null on the last page); none for the first page"),
            ],
        },
        new("GET", "api/quarantine", "CDRs", "Quarantined CDR lines, with their reason and original text",
            null, null, typeof(QuarantineListResponse),
            """{ "items": [ { "quarantineId": "q-1", "accountId": "acme", "cdrId": "c-3", "line": 4, "reason": "duration_seconds must not be negative", "raw": "c-3,acme,+442071234567,+33612345678,2026-11-26T10:00:00Z,-5,ANSWERED,", "source": "http", "receivedAt": "2026-11-26T10:05:00+00:00" } ], "continuation": null }""",
            new Dictionary<int, string> { [400] = "accountId, limit or continuation is invalid", [503] = Unavailable })
        {
            Query =
            [
                new("accountId", "only this account's entries"),
                new("limit", "at most this many entries, 1 to 10000 (default 1000)"),
                new("continuation", "the continuation of the previous page, unchanged (null on the last page); none for the first page"),
            ],
        },
        new("GET", "api/alerts", "monitoring", "Alerts raised by spend monitoring, newest first",
            null, null, typeof(AlertListResponse),
            """{ "items": [ { "alertId": "acme-threshold-3f1c2a9b0d4e5f61", "accountId": "acme", "type": "THRESHOLD_REACHED", "severity": "warning", "threshold": 0.8, "periodSpend": 4012.5, "creditLimit": 5000, "currency": "GBP", "raisedAt": "2026-11-26T10:05:00+00:00", "message": "spend this period 4012.5 GBP reached 80% of the credit limit 5000 GBP" } ], "continuation": null }""",
            new Dictionary<int, string> { [400] = "accountId, limit or continuation is invalid", [503] = Unavailable })
        {
            Query =
            [
                new("accountId", "only this account's alerts"),
                new("limit", "at most this many alerts, 1 to 10000 (default 1000)"),
                new("continuation", "the continuation of the previous page, unchanged (null on the last page); none for the first page"),
            ],
        },
        new("POST", "api/accounts/{accountId}/suspend", "monitoring", "Suspend an account: new calls are denied, running calls get no further grant",
            typeof(SuspendBody), """{ "reason": "fraud review" }""",
            typeof(Core.Accounts.BalanceView), BalanceExample,
            new Dictionary<int, string> { [400] = "the reason is too long", [404] = "the account does not exist", [503] = Unavailable }),
        new("POST", "api/accounts/{accountId}/resume", "monitoring", "Lift a suspension (monitoring will not suspend again by policy this period)",
            null, null, typeof(Core.Accounts.BalanceView), BalanceExample,
            new Dictionary<int, string> { [400] = "the account id is invalid", [404] = "the account does not exist", [503] = Unavailable }),
        new("POST", "api/invoices/run", "invoicing", "Run the invoice run now: close every period that has ended and issue its invoice or statement",
            typeof(InvoiceRunBody), """{ "period": "2026-10" }""",
            typeof(Core.Invoicing.InvoiceRunSummary),
            """{ "period": "2026-10", "ranAt": "2026-11-01T00:30:00+00:00", "accounts": 3, "invoices": 2, "statements": 1, "recovered": 0, "nothingDue": 0, "failed": 0, "failures": [] }""",
            new Dictionary<int, string> { [400] = "the period is not yyyy-MM", [503] = Unavailable }),
        new("GET", "api/accounts/{accountId}/invoices", "invoicing", "The account's invoices and statements, newest first",
            null, null, typeof(InvoiceListResponse), """{ "accountId": "acme", "items": [] }""",
            new Dictionary<int, string> { [400] = "the account id is invalid", [503] = Unavailable }),
        new("GET", "api/invoices/{invoiceId}", "invoicing", "One invoice or statement",
            null, null, typeof(InvoiceResponse), """{ "invoiceId": "acme.2026-10", "invoiceNumber": "INV-2026-000001", "accountId": "acme", "period": "2026-10", "currency": "GBP", "lines": [ { "destination": "France Mobile", "calls": 1, "billedSeconds": 342, "amount": 1.38 } ], "subtotal": 1.38, "taxTreatment": "standard", "taxRate": 0.2, "tax": 0.28, "total": 1.66, "issuedAt": "2026-11-01T00:30:00+00:00" }""",
            new Dictionary<int, string> { [400] = "the invoice id is invalid", [404] = "no such invoice", [503] = Unavailable }),
        new("GET", "api/invoices/{invoiceId}/document", "invoicing", "The invoice rendered as HTML or PDF (format=html|pdf)",
            null, null, typeof(string), "\"\"",
            new Dictionary<int, string> { [400] = "format is not html or pdf", [404] = "no such invoice", [503] = Unavailable })
        {
            AnswerContentTypes = ["text/html", "application/pdf"],
            Query = [new("format", "html (default) or pdf")],
        },
    ];
}

/// <summary>One CDR in a JSON batch: the CSV columns in camelCase (the document's schema for POST /api/cdrs).</summary>
public sealed record CdrBody(
    string CdrId,
    string AccountId,
    string? CallingNumber,
    string CalledNumber,
    DateTimeOffset StartTime,
    int DurationSeconds,
    string Disposition,
    string? SessionId);
