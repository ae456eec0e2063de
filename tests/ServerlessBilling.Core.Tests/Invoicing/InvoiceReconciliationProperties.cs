using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Xunit;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Money;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Invoicing;

/// <summary>
/// ARCHITECTURE.md invariant 6 on random usage, with late CDRs. What reconciles, precisely:
/// <list type="bullet">
/// <item>each invoice line (own period, or a late section) is round2 of the exact sum of the 4-decimal charges of
/// the usage records it covers: those of its period and destination applied before the period was closed, or,
/// for a late section, applied after that and before the carrying invoice was issued;</item>
/// <item>subtotal = Σ line amounts, so |subtotal − Σ covered charges| ≤ 0.005 × lines; tax = round2(subtotal × rate);</item>
/// <item>calls and billed seconds reconcile exactly: every usage record of a closed period is on exactly one line.</item>
/// </list>
/// </summary>
public sealed class InvoiceReconciliationProperties
{
    private static readonly string[] Numbers = ["+447700900123", "+442071234567", "+33145678901"];
    private static readonly DateTimeOffset From = new(2026, 9, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset FirstRun = new(2026, 11, 4, 6, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset SecondRun = new(2026, 12, 20, 6, 0, 0, TimeSpan.Zero);

    [Property(MaxTest = 150)]
    public bool Invoices_reconcile_to_the_rated_usage(NonEmptyArray<Tuple<byte, ushort, ushort, bool, bool>> calls, byte day, byte taxPercent)
    {
        var billingDay = (day % 31) + 1;
        var rate = (taxPercent % 26) / 100m;
        return CheckAsync(calls.Get, billingDay, rate).GetAwaiter().GetResult();
    }

    private static async Task<bool> CheckAsync(Tuple<byte, ushort, ushort, bool, bool>[] calls, int billingDay, decimal rate)
    {
        var stores = new InvoicingStores(
            new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), new InMemoryUsageStore(), new InMemoryQuarantineStore(),
            new InMemoryInvoiceStore(), new InMemoryInvoiceCounterStore());
        var h = new InvoicingHarness(stores, FirstRun);
        var settings = Fixtures.Postpaid(1_000_000m, hard: false) with { BillingDay = billingDay, Tax = new TaxSettings(TaxTreatment.Standard, rate) };
        var account = await h.OpenAsync("prop", settings);

        await h.Core.IngestCsvAsync(Csv(account, calls.Where(c => !c.Item5)));
        await h.RunAsync(null);
        h.Core.Clock.SetUtcNow(SecondRun);
        await h.Core.IngestCsvAsync(Csv(account, calls.Where(c => c.Item5)));
        await h.RunAsync(null);

        var usage = await stores.Usage.ListAsync(account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, int.MaxValue, default);
        var invoices = await stores.Invoices.ListAsync(account, default);
        var closedAt = invoices.ToDictionary(i => i.Period, i => i.IssuedAt);
        var covered = 0;
        foreach (var invoice in invoices)
        {
            var previous = invoices.Where(i => string.CompareOrdinal(i.Period, invoice.Period) < 0).Select(i => i.IssuedAt).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
            var sections = invoice.LateUsage
                .Select(s => new Section(s.Lines, u => u.Period == s.Period && u.AppliedAt > closedAt[s.Period] && u.AppliedAt <= invoice.IssuedAt && u.AppliedAt > previous))
                .Prepend(new Section(invoice.Lines, u => u.Period == invoice.Period && u.AppliedAt <= invoice.IssuedAt))
                .ToList();
            foreach (var (lines, covers) in sections)
            {
                var records = usage.Where(covers).Where(u => u.BilledSeconds > 0).ToList();
                covered += records.Count;
                var expected = records.GroupBy(u => u.Destination).OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => new InvoiceLine(g.Key, g.Count(), g.Sum(u => (long)u.BilledSeconds), Rounding.Invoice(g.Sum(u => u.Charge))));
                if (!expected.SequenceEqual(lines))
                {
                    return false;
                }
            }

            var lineCount = invoice.Lines.Count + invoice.LateUsage.Sum(s => s.Lines.Count);
            var exact = usage.Where(u => sections.Any(s => s.Covers(u))).Sum(u => u.Charge);
            if (invoice.Subtotal != invoice.Lines.Sum(l => l.Amount) + invoice.LateUsage.Sum(s => s.Lines.Sum(l => l.Amount))
                || Math.Abs(invoice.Subtotal - exact) > 0.005m * lineCount
                || invoice.Tax != Rounding.Invoice(invoice.Subtotal * rate)
                || invoice.Total != invoice.Subtotal + invoice.Tax)
            {
                return false;
            }
        }

        // Every answered call of a closed period is on exactly one invoice line; the others wait in open periods.
        var state = await h.Core.StateAsync(account);
        var closedUsage = usage.Count(u => u.BilledSeconds > 0 && state.IsClosed(u.Period));
        return covered == closedUsage && (state.ClosedThrough is not null || usage.All(u => u.BilledSeconds == 0));
    }

    private sealed record Section(IReadOnlyList<InvoiceLine> Lines, Func<UsageRecord, bool> Covers);

    private static string Csv(string account, IEnumerable<Tuple<byte, ushort, ushort, bool, bool>> calls)
    {
        var csv = new StringBuilder(InvoicingHarness.Header).Append('\n');
        foreach (var (destination, minute, seconds, answered, _) in calls)
        {
            var start = From.AddMinutes(minute % (51 * 1440)).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            csv.Append(CultureInfo.InvariantCulture, $"c-{Guid.NewGuid():N},{account},+441,{Numbers[destination % Numbers.Length]},{start},{seconds % 400},{(answered ? "ANSWERED" : "NO_ANSWER")},\n");
        }

        return csv.ToString();
    }
}
