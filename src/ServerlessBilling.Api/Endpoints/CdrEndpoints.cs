using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServerlessBilling.Api.Contracts;
using ServerlessBilling.Api.Http;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Api.Endpoints;

/// <summary>Handlers of CDR ingestion, usage and quarantine.</summary>
public static partial class CdrEndpoints
{
    public const long MaxBatchBytes = 64L << 20;
    public const int MaxListLimit = RequestReader.MaxListLimit;

    /// <summary>How many quarantined lines a batch answer lists: a huge bad batch gets a bounded answer.</summary>
    public const int MaxQuarantinedListed = 100;

    private static readonly CategoryLogger Log = new("ServerlessBilling.Ingestion");

    public static async Task<IResult> Post(HttpRequest http, IngestionService ingestion, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        // The body and the record list are reused by later batches: given back once the batch is done with them, and only
        // then (a batch that fails may leave work running that still reads them: they are left to the collector).
        var (body, length) = await RequestReader.ReadPooledAsync(http, MaxBatchBytes, cancellationToken);
        var records = RecordLists.Rent();
        var batch = CdrBatchReader.Read(body, length, records);
        if (batch.DocumentError is { } error)
        {
            RecordLists.Return(records, body);
            return Problems.BadRequest($"the body is not a CDR batch: {error}");
        }

        var result = await ingestion.IngestAsync(batch.Records, "http", cancellationToken);
        RecordLists.Return(records, body);
        var logger = Log.For(loggers);
        LogBatch(logger, result.Received, result.Accepted, result.Duplicates, result.Quarantined.Count);
        QuarantineLog.Write(logger, "http", result);

        return JsonOk.Of(new IngestResponse(
            result.Received,
            result.Accepted,
            result.Duplicates,
            result.Quarantined.Count,
            result.Quarantined.Take(MaxQuarantinedListed).Select(q => new QuarantinedResponse(q.CdrId, q.Line, q.Reason)).ToList()));
    }

    public static async Task<IResult> Usage(string accountId, HttpRequest http, IUsageStore usage, CancellationToken cancellationToken)
    {
        if (RequestReader.CheckId(accountId, "accountId") is { } bad)
        {
            return bad;
        }

        if (!TryTime(http.Query["from"], DateTimeOffset.MinValue, out var from) || !TryTime(http.Query["to"], DateTimeOffset.MaxValue, out var to))
        {
            return Problems.BadRequest("from and to must be ISO 8601 times with an offset (e.g. 2026-11-01T00:00:00Z)");
        }

        if (to <= from)
        {
            return Problems.BadRequest("to must be after from");
        }

        if (!RequestReader.TryLimit(http.Query["limit"], out var limit))
        {
            return Problems.BadRequest($"limit must be a whole number from 1 to {MaxListLimit}");
        }

        if (!WireNames.TryParseOrder(http.Query["order"], out var order))
        {
            return Problems.BadRequest("order must be oldest (the default) or newest");
        }

        ListCursor? after = null;
        if (http.Query.ContainsKey("continuation") && !PageToken.TryDecodeUsage(http.Query["continuation"], order, out after))
        {
            var other = order == ListOrder.NewestFirst ? ListOrder.OldestFirst : ListOrder.NewestFirst;
            return Problems.BadRequest(PageToken.TryDecodeUsage(http.Query["continuation"], other, out _)
                ? $"continuation was handed out for order={WireNames.Order(other)}: pages continue in the order of the first page, so pass it with order={WireNames.Order(other)}, or no continuation to start order={WireNames.Order(order)} from its first page"
                : "continuation is not a usage token this API handed out; pass the continuation of the previous page unchanged (with the same from, to and order), or none for the first page");
        }

        // One more than the page tells whether another page follows, so the last page says so (continuation null).
        var records = await usage.ListAsync(accountId, from, to, limit + 1, order, after, cancellationToken);
        IReadOnlyList<UsageRecord> page = records.Count > limit ? records.Take(limit).ToList() : records;
        return Results.Ok(new UsageListResponse(accountId, from, to, page, records.Count > limit ? PageToken.EncodeUsage(ListCursor.After(page[^1]), order) : null));
    }

    public static async Task<IResult> Quarantine(HttpRequest http, IQuarantineStore quarantine, CancellationToken cancellationToken)
    {
        if (RequestReader.CheckAccountFilter(http, out var accountId) is { } bad)
        {
            return bad;
        }

        if (!RequestReader.TryLimit(http.Query["limit"], out var limit))
        {
            return Problems.BadRequest($"limit must be a whole number from 1 to {MaxListLimit}");
        }

        ListCursor? after = null;
        if (http.Query.ContainsKey("continuation") && !PageToken.TryDecodeQuarantine(http.Query["continuation"], out after))
        {
            return Problems.BadRequest("continuation is not a quarantine token this API handed out; pass the continuation of the previous page unchanged (with the same accountId), or none for the first page");
        }

        var records = await quarantine.ListAsync(accountId, limit + 1, after, cancellationToken);
        IReadOnlyList<QuarantineRecord> page = records.Count > limit ? records.Take(limit).ToList() : records;
        return Results.Ok(new QuarantineListResponse(page, records.Count > limit ? PageToken.EncodeQuarantine(ListCursor.After(page[^1])) : null));
    }

    private static bool TryTime(string? text, DateTimeOffset fallback, out DateTimeOffset value)
    {
        value = fallback;
        // A time without an offset would mean another instant on every server: refused, as in every body.
        return string.IsNullOrEmpty(text) || StrictTimeConverter.TryParse(text, out value);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "CDR batch over HTTP: {Received} received, {Accepted} accepted, {Duplicates} duplicates, {Quarantined} quarantined")]
    private static partial void LogBatch(ILogger logger, int received, int accepted, int duplicates, int quarantined);
}
