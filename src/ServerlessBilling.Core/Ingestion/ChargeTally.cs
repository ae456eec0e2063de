using ServerlessBilling.Core.Diagnostics;

namespace ServerlessBilling.Core.Ingestion;

/// <summary>The charges of a batch's account groups by currency, counted in the metrics once a batch (groups add from several threads).</summary>
internal sealed class ChargeTally
{
    private readonly Dictionary<string, (int Count, decimal Amount)> _byCurrency = new(StringComparer.Ordinal);

    public void Add(string currency, int count, decimal amount)
    {
        lock (_byCurrency)
        {
            var (c, a) = _byCurrency.GetValueOrDefault(currency);
            _byCurrency[currency] = (c + count, a + amount);
        }
    }

    public void Report()
    {
        lock (_byCurrency)
        {
            foreach (var (currency, (count, amount)) in _byCurrency)
            {
                BillingMetrics.Charged(count, amount, currency, "cdr");
            }

            _byCurrency.Clear();
        }
    }
}
