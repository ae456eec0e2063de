using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>Issued invoices and statements by (account, invoice id): created once, never changed.</summary>
public sealed class SqliteInvoiceStore(SqliteDatabase database) : IInvoiceStore
{
    public Task<bool> TryCreateAsync(Invoice invoice, CancellationToken cancellationToken)
    {
        var doc = SqliteValues.Json(invoice);
        return database.WriteAsync(session => session
            .Command("INSERT INTO invoices (account_id, invoice_id, period, doc) VALUES ($account, $id, $period, $doc) ON CONFLICT DO NOTHING")
            .With("$account", invoice.AccountId).With("$id", invoice.InvoiceId).With("$period", invoice.Period).With("$doc", doc)
            .ExecuteNonQuery() == 1, cancellationToken);
    }

    public Task<Invoice?> GetAsync(string accountId, string invoiceId, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(session =>
        {
            using var reader = session.Command("SELECT doc FROM invoices WHERE account_id = $account AND invoice_id = $id")
                .With("$account", accountId).With("$id", invoiceId).ExecuteReader();
            return reader.Read() ? SqliteValues.FromJson<Invoice>(reader, 0) : null;
        }));

    public Task<IReadOnlyList<Invoice>> ListAsync(string accountId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Invoice>>(database.Read(session =>
        {
            using var reader = session.Command("SELECT doc FROM invoices WHERE account_id = $account ORDER BY period DESC").With("$account", accountId).ExecuteReader();
            var invoices = new List<Invoice>();
            while (reader.Read())
            {
                invoices.Add(SqliteValues.FromJson<Invoice>(reader, 0));
            }

            return invoices;
        }));
}
