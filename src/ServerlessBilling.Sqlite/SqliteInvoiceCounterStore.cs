using System.Globalization;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>Invoice number counters with a version column as the ETag, so that a number is reserved once.</summary>
public sealed class SqliteInvoiceCounterStore(SqliteDatabase database) : IInvoiceCounterStore
{
    public Task<Versioned<InvoiceCounter>?> GetAsync(string counterId, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(session =>
        {
            using var reader = session.Command("SELECT version, doc FROM invoice_counters WHERE counter_id = $id").With("$id", counterId).ExecuteReader();
            return reader.Read()
                ? new Versioned<InvoiceCounter>(SqliteValues.FromJson<InvoiceCounter>(reader, 1), reader.GetInt64(0).ToString(CultureInfo.InvariantCulture))
                : null;
        }));

    public Task<string?> TryCreateAsync(InvoiceCounter counter, CancellationToken cancellationToken)
    {
        var doc = SqliteValues.Json(counter);
        return database.WriteAsync(session => session
            .Command("INSERT INTO invoice_counters (counter_id, version, doc) VALUES ($id, 1, $doc) ON CONFLICT DO NOTHING")
            .With("$id", counter.Id).With("$doc", doc)
            .ExecuteNonQuery() == 1 ? "1" : null, cancellationToken);
    }

    public Task<string?> TryReplaceAsync(InvoiceCounter counter, string ifMatch, CancellationToken cancellationToken)
    {
        if (!long.TryParse(ifMatch, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return Task.FromResult<string?>(null);
        }

        var doc = SqliteValues.Json(counter);
        return database.WriteAsync(session => session
            .Command("UPDATE invoice_counters SET version = version + 1, doc = $doc WHERE counter_id = $id AND version = $version")
            .With("$id", counter.Id).With("$version", version).With("$doc", doc)
            .ExecuteNonQuery() == 1 ? checked(version + 1).ToString(CultureInfo.InvariantCulture) : null, cancellationToken);
    }
}
