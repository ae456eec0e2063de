using System.Globalization;
using System.Text.Json;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>
/// Usage rows in their compact form (schema 7, <see cref="SqliteUsageRows"/>) read back as the records written, to the
/// offset and the decimal's scale, through every query of the port; rows of the JSON-object form read as before.
/// </summary>
public sealed class SqliteUsageRowsTests
{
    private static string Json(UsageRecord record) => JsonSerializer.Serialize(record, StoredJson.Options);

    private static IEnumerable<UsageRecord> Records()
    {
        var start = new DateTimeOffset(2026, 3, 29, 1, 59, 59, 999, TimeSpan.FromHours(1)).AddTicks(7);
        string[] amounts = ["0", "1.2300", "-79228162514264337593543950335", "0.0000000000000000000000000001", "3.0000"];
        for (var i = 0; i < amounts.Length; i++)
        {
            yield return new UsageRecord(
                "cdr-" + i.ToString(CultureInfo.InvariantCulture), "acct", i % 2 == 0 ? null : "sess-é \"quoted\" <tag> & \u2028 \U0001F4DE", "+447700900123",
                start.AddMinutes(i).ToOffset(TimeSpan.FromMinutes(-330 * (i % 3))), i * 61, i == 3 ? "NO_ANSWER" : "ANSWERED", "4420", "United Kingdom London",
                i * 66, decimal.Parse(amounts[i], CultureInfo.InvariantCulture), "GBP", "2026-03", i % 2 == 0 ? Settlement.Cdr : Settlement.Session,
                i == 2 ? "recorded on replay after an interrupted ingestion" : null, Fixtures.Now.AddTicks(i).ToOffset(TimeSpan.FromHours(i)));
        }
    }

    [Fact]
    public void A_record_reads_back_from_its_compact_row_equal_and_serialized_the_same()
    {
        foreach (var record in Records())
        {
            var row = SqliteUsageRows.Write(record);
            Assert.Equal((byte)'[', row[0]);
            Assert.True(row.Length < SqliteValues.Json(record).Length * 2 / 3, $"{row.Length} bytes");
            var read = SqliteUsageRows.Read(record.AccountId, record.CdrId, SqliteValues.Ticks(record.StartTime), row);
            Assert.Equal(record, read);
            Assert.Equal(Json(record), Json(read));
        }
    }

    [Fact]
    public void A_row_that_is_not_as_written_is_refused_not_misread()
    {
        Assert.Throws<InvalidDataException>(() => SqliteUsageRows.Read("a", "c", 0, "[null,\"+44\",0]"u8.ToArray()));
        Assert.Throws<InvalidDataException>(() => SqliteUsageRows.Read("a", "c", 0, "[1]"u8.ToArray()));
    }

    [Fact]
    public async Task Rows_of_both_forms_answer_every_query_of_the_port_with_the_records_written()
    {
        using var store = new TempStore();
        var usage = store.Stores.Usage;
        var records = Records().ToList();

        // The first two as schema 6 wrote them: the record's JSON object in doc.
        await store.Database.WriteAsync(s =>
        {
            foreach (var old in records.Take(2))
            {
                s.Command("INSERT INTO usage (account_id, cdr_id, start_time, doc) VALUES ($a, $c, $t, $doc)")
                    .With("$a", old.AccountId).With("$c", old.CdrId).With("$t", SqliteValues.Ticks(old.StartTime)).With("$doc", SqliteValues.Json(old)).ExecuteNonQuery();
            }

            return 0;
        }, default);
        Assert.Equal([false, false, true, true, true], await usage.TryCreateManyAsync(records, default));
        Assert.False(await usage.TryCreateAsync(records[3], default));
        Assert.Equal(2, store.Database.Read(s => (long)s.Command("SELECT count(*) FROM usage WHERE hex(substr(doc, 1, 1)) = '7B'").ExecuteScalar()!));

        store.Reopen();
        usage = store.Stores.Usage;
        var ids = records.Select(r => r.CdrId).ToList();
        foreach (var count in new[] { 1, 3, ids.Count })
        {
            var found = await usage.FindExistingAsync("acct", ids.Take(count).ToList(), default);
            Assert.Equal(count, found.Count);
            Assert.All(found, f => Assert.Equal(Json(records.Single(r => r.CdrId == f.Key)), Json(f.Value)));
        }

        var many = await usage.FindExistingAsync("acct", [.. ids, .. Enumerable.Range(0, 20).Select(i => "other-" + i.ToString(CultureInfo.InvariantCulture))], default);
        Assert.Equal(ids.Order(StringComparer.Ordinal), many.Keys.Order(StringComparer.Ordinal));

        var listed = await usage.ListAsync("acct", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 100, default);
        Assert.Equal(records.OrderBy(r => r.StartTime.UtcTicks).ThenBy(r => r.CdrId, StringComparer.Ordinal).Select(Json), listed.Select(Json));
        Assert.Equal(records.Sum(r => r.Charge), listed.Sum(r => r.Charge));
        var window = await usage.ListAsync("acct", records[1].StartTime, records[3].StartTime, 100, default);
        Assert.Equal(records.Where(r => r.StartTime >= records[1].StartTime && r.StartTime < records[3].StartTime).Select(r => r.CdrId).Order(StringComparer.Ordinal),
            window.Select(r => r.CdrId).Order(StringComparer.Ordinal));
    }
}
