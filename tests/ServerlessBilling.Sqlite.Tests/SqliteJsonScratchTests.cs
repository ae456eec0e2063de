using System.Globalization;
using System.Text.Json;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>
/// The per-thread JSON buffers the document writes reuse (<see cref="SqliteJsonScratch"/>): what was written before
/// never leaks into the next write, nested rents get their own buffer, and a write costs only the bytes it keeps.
/// </summary>
public sealed class SqliteJsonScratchTests
{
    private static string Serializer(AccountState state) => JsonSerializer.Serialize(state, StoredJson.Options);

    private static string Read(AccountDocument document) => Serializer(SqliteValues.FromJson<AccountState>(
        SqliteDocumentRows.Assemble(document.Head, [.. document.Rows.Select(p => (p.Key.Part, p.Key.Member, p.Value))])));

    private static AccountState WithApplied(int count)
    {
        var state = AccountState.Open("a", Fixtures.Prepaid(), 10m, Fixtures.Now);
        for (var i = 0; i < count; i++)
        {
            state = state.RememberApplied("cdr-" + i.ToString("D8", CultureInfo.InvariantCulture));
        }

        return state;
    }

    [Fact]
    public void A_rent_starts_empty_and_nested_rents_write_apart()
    {
        using (var first = SqliteJsonScratch.Rent())
        {
            first.Writer.WriteStartObject();
            first.Writer.WriteString("a", "left over");
            first.Writer.WriteEndObject();
        }

        using var outer = SqliteJsonScratch.Rent();
        Assert.Equal(0, outer.WrittenCount);
        outer.Writer.WriteStartArray();
        outer.Writer.WriteNumberValue(1);
        using (var inner = SqliteJsonScratch.Rent())
        {
            Assert.Equal(0, inner.WrittenCount);
            inner.Writer.WriteStringValue("x");
            inner.WriteRaw(",2"u8);
            Assert.Equal("\"x\",2", System.Text.Encoding.UTF8.GetString(inner.WrittenSpan));
        }

        outer.Writer.WriteEndArray();
        Assert.Equal("[1]", System.Text.Encoding.UTF8.GetString(outer.ToArray()));
        outer.Clear();
        Assert.Equal(0, outer.WrittenCount);
    }

    [Fact]
    public void Documents_written_in_turn_on_one_thread_each_read_back_as_the_serializer_writes_them()
    {
        // A long array (chunks, two nested rents beside the head's) between short documents, and a head grown past
        // what a thread keeps: each write starts from an empty buffer.
        foreach (var count in new[] { 3, AccountState.AppliedCdrCapacity, 0, 40, AccountState.AppliedCdrCapacity / 2, 1 })
        {
            var state = WithApplied(count);
            Assert.Equal(Serializer(state), Read(SqliteDocumentRows.Write(1, state, null)));
        }

        var big = SqliteJsonScratch.Rent();
        big.WriteRaw(new byte[100_000]);
        big.Dispose(); // not kept: grown past 64 KB
        using var next = SqliteJsonScratch.Rent();
        Assert.Equal(0, next.WrittenCount);
    }

    [Fact]
    public void A_step_of_a_full_applied_id_window_allocates_about_half_what_new_buffers_cost()
    {
        var state = WithApplied(AccountState.AppliedCdrCapacity);
        var previous = SqliteDocumentRows.Write(1, state, null);
        for (var i = 0; i < 20; i++)
        {
            state = state.RememberApplied("warm-" + i.ToString(CultureInfo.InvariantCulture));
            previous = SqliteDocumentRows.Write(i + 2, state, previous);
        }

        const int Steps = 200;
        var states = new List<AccountState>(Steps);
        for (var i = 0; i < Steps; i++)
        {
            state = state.RememberApplied("next-" + i.ToString(CultureInfo.InvariantCulture));
            states.Add(state);
        }

        var written = 0L;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Steps; i++)
        {
            var document = SqliteDocumentRows.Write(i + 100, states[i], previous);
            written += document.Head.Length + SqliteDocumentRows.Changes(previous, document).Upserts.Sum(u => u.Json.Length);
            previous = document;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Measured: 7.5 KB a step beside 1.1 KB of rows for the 1,000 applied ids. A new list for the copy of the ids
        // added 8 KB a step, and new buffers and writers for the head and the last chunk a few KB more.
        Assert.True(allocated / Steps < 8 * 1024 + (written / Steps), $"{allocated / Steps} bytes allocated a step for {written / Steps} bytes of rows");
    }
}
