using System.Globalization;

namespace ServerlessBilling.Local.Commands.Simulate;

/// <summary>The final report: what was played, what the platform did, and whether its books agree.</summary>
public static class SimulationReport
{
    public static void Write(TextWriter output, SimulationResult result, SimulationStats stats)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(stats);
        var c = CultureInfo.InvariantCulture;
        var o = result.Options;
        output.WriteLine();
        output.WriteLine(string.Create(c, $"simulate: {o.Url} seed {o.Seed}, {o.Rate:0.##} calls/s for {o.Duration.TotalSeconds:0} s at speed {o.Speed}, ids {o.IdPrefix}-*, {result.Elapsed.TotalSeconds:0.0} s"));
        var denials = stats.DenialsByCode;
        output.WriteLine(string.Create(c,
            $"calls      {stats.Started} placed ({stats.Started / Math.Max(o.Duration.TotalSeconds, 1):0.0}/s), {stats.Grants} granted, {stats.Denials} denied{(denials.Count == 0 ? "" : $" ({string.Join(", ", denials.Select(d => $"{d.Key} {d.Value}"))})")}, {stats.CutByFinalUnit} cut when credit ran out, {stats.Interims} interims, {stats.TopUps} top-ups"));
        output.WriteLine(string.Create(c, $"authorize  p50 {Ms(stats.AuthorizePercentile(0.5))}, p99 {Ms(stats.AuthorizePercentile(0.99))}"));
        output.WriteLine(string.Create(c, $"CDRs       {stats.CdrsPosted} of live calls, {stats.HistoryPosted} of past calls"));
        var alerts = stats.Alerts;
        output.WriteLine(string.Create(c, $"alerts     {alerts.Count}"));
        foreach (var alert in alerts)
        {
            output.WriteLine($"           {alert.Type,-18} {alert.AccountId}: {alert.Message}");
        }

        if (stats.Runaway is { } runaway)
        {
            output.WriteLine(string.Create(c, $"runaway    {runaway.AccountId}: spend {runaway.PeriodSpend:0.00} of {runaway.CreditLimit:0} {runaway.Currency}, {runaway.Status}"));
        }

        if (result.Invoice is { } invoice)
        {
            output.WriteLine(invoice.Invoice is { } issued
                ? string.Create(c, $"invoice    {issued.InvoiceNumber} ({issued.InvoiceId}) for {invoice.Period}: subtotal {issued.Subtotal} (simulator {invoice.ExpectedSubtotal}), tax {issued.Tax}, total {issued.Total} {issued.Currency}")
                : $"invoice    none issued for {invoice.AccountId} {invoice.Period}");
        }

        if (result.Accounts.Count > 0)
        {
            output.WriteLine("books      account                                mode      calls      platform balance     simulator   reserved  sessions");
            foreach (var a in result.Accounts)
            {
                var verdict = a.Mismatches.Count == 0 ? "ok" : "MISMATCH";
                var spend = a.Account.Prepaid ? "" : a.PeriodRolled ? "  (period rolled over: periodSpend not checked)" : string.Create(c, $"  periodSpend {a.Platform.PeriodSpend}");
                output.WriteLine(string.Create(c,
                    $"           {a.AccountId,-38} {a.Platform.Mode,-9} {a.Calls,5} {a.Platform.Balance,21} {a.ExpectedBalance,13} {a.Platform.Reserved,10} {a.Platform.ActiveSessions,9}  {verdict}{spend}"));
            }
        }

        foreach (var error in stats.Errors)
        {
            output.WriteLine($"error      {error}");
        }

        if (stats.ErrorCount > stats.Errors.Count)
        {
            output.WriteLine(string.Create(c, $"error      ... and {stats.ErrorCount - stats.Errors.Count} more"));
        }

        foreach (var mismatch in result.Mismatches)
        {
            output.WriteLine($"MISMATCH   {mismatch}");
        }

        output.WriteLine(Verdict(result, stats));
        output.Flush();
    }

    public static string Verdict(SimulationResult result, SimulationStats stats)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(stats);
        return result.Fatal is { } fatal ? $"result     stopped: {fatal.Message}"
            : result.Mismatches.Count > 0 ? $"result     the platform's books DO NOT agree with the simulator's rating: {result.Mismatches.Count} mismatches"
            : stats.ErrorCount > 0 ? $"result     the books agree, but the platform answered {stats.ErrorCount} requests with an error"
            : $"result     the platform's books agree with the simulator's rating ({result.Accounts.Count} accounts{(result.Invoice is null ? "" : " and the invoice")})";
    }

    private static string Ms(double? milliseconds) =>
        milliseconds is { } ms ? string.Create(CultureInfo.InvariantCulture, $"{ms:0.0} ms") : "-";
}
