using System.Diagnostics.Metrics;

namespace ServerlessBilling.Core.Diagnostics;

/// <summary>
/// The platform's metrics, on one <see cref="Meter"/> named <see cref="MeterName"/> that every host exports
/// (the local host as a Prometheus scrape endpoint or over OTLP; the Functions app through its own exporter).
/// Tags are low-cardinality on purpose: never an account, session or phone number.
/// </summary>
public static class BillingMetrics
{
    public const string MeterName = "ServerlessBilling";

    private static readonly Meter Meter = new(MeterName);

    // An authorize takes microseconds in the handler and milliseconds with a remote store: buckets from 0.1 ms.
    private static readonly Histogram<double> AuthorizeDuration = Meter.CreateHistogram(
        "billing.authorize.duration",
        "ms",
        "Time to answer an authorize, from request to decision",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500] });

    private static readonly Counter<long> CreditControlAnswers = Meter.CreateCounter<long>(
        "billing.credit_control.answers", "{answer}", "Credit-control answers by operation and result (result code, or the error)");

    private static readonly Counter<long> Cdrs = Meter.CreateCounter<long>(
        "billing.cdrs", "{cdr}", "CDRs received, by outcome: accepted, duplicate, quarantined");

    private static readonly Counter<long> Charges = Meter.CreateCounter<long>(
        "billing.charges", "{charge}", "Calls charged, by currency and by what settled them: session (a terminate) or cdr (an applied CDR)");

    // Money as a double: a metric shows the trend; the ledger and invoices hold the exact decimal amounts.
    private static readonly Counter<double> ChargedAmount = Meter.CreateCounter<double>(
        "billing.charges.amount", "{currency}", "Amount charged, in the currency of the currency tag, by what settled it");

    private static readonly Counter<long> WriteRetries = Meter.CreateCounter<long>(
        "billing.store.write_retries", "{retry}", "Account writes tried again because the document changed since it was read (ETag conflict)");

    private static readonly Counter<long> StoreFaults = Meter.CreateCounter<long>(
        "billing.store.faults", "{fault}", "Requests answered 503 because the store faulted or did not answer in time");

    /// <summary>One credit-control answer: <paramref name="operation"/> is authorize, interim or terminate.</summary>
    public static void CreditControlAnswered(string operation, string result) =>
        CreditControlAnswers.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("result", result));

    public static void AuthorizeAnswered(TimeSpan elapsed, string result) =>
        AuthorizeDuration.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("result", result));

    public static void CdrsIngested(int accepted, int duplicates, int quarantined)
    {
        Add(accepted, "accepted");
        Add(duplicates, "duplicate");
        Add(quarantined, "quarantined");

        static void Add(int count, string outcome)
        {
            if (count > 0)
            {
                Cdrs.Add(count, new KeyValuePair<string, object?>("outcome", outcome));
            }
        }
    }

    public static void StoreFaulted() => StoreFaults.Add(1);

    /// <summary>One charge that moved money: <paramref name="settledBy"/> is session (terminate) or cdr (ingestion).</summary>
    public static void Charged(decimal amount, string currency, string settledBy) => Charged(1, amount, currency, settledBy);

    /// <summary><paramref name="count"/> charges of <paramref name="amount"/> in all, counted at once (a batch's account group).</summary>
    public static void Charged(int count, decimal amount, string currency, string settledBy)
    {
        var currencyTag = new KeyValuePair<string, object?>("currency", currency);
        var settledTag = new KeyValuePair<string, object?>("settled_by", settledBy);
        Charges.Add(count, currencyTag, settledTag);
        ChargedAmount.Add((double)amount, currencyTag, settledTag);
    }

    public static void WriteRetried() => WriteRetries.Add(1);
}
