using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>A long array of an account document stored in chunks (<see cref="SqliteArrayChunks"/>): read back whole, and a step writes the chunks it changed.</summary>
public sealed class SqliteArrayChunksTests
{
    private const string Applied = "appliedCdrs";

    private static string Serializer(AccountState state) => JsonSerializer.Serialize(state, StoredJson.Options);

    private static string Read(AccountDocument document) => Serializer(SqliteValues.FromJson<AccountState>(
        SqliteDocumentRows.Assemble(document.Head, [.. document.Rows.Select(p => (p.Key.Part, p.Key.Member, p.Value))])));

    private static string Id(int i) => "cdr-" + i.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>An open account that has applied <paramref name="count"/> CDRs.</summary>
    private static AccountState WithApplied(int count)
    {
        var state = AccountState.Open("a", Fixtures.Prepaid(), 10m, Fixtures.Now);
        for (var i = 0; i < count; i++)
        {
            state = state.RememberApplied(Id(i));
        }

        return state;
    }

    private static List<KeyValuePair<PartKey, byte[]>> Chunks(AccountDocument document) =>
        [.. document.Rows.Where(r => r.Key.Part == Applied + SqliteDocumentRows.ArraySuffix).OrderBy(r => r.Key.Member, StringComparer.Ordinal)];

    [Fact]
    public void Applied_ids_past_the_capacity_read_back_as_written_and_each_cdr_writes_at_most_the_first_and_last_chunks()
    {
        var state = AccountState.Open("a", Fixtures.Prepaid(), 10m, Fixtures.Now);
        var previous = SqliteDocumentRows.Write(1, state, null);
        for (var i = 0; i < AccountState.AppliedCdrCapacity + 300; i++)
        {
            state = state.RememberApplied(Id(i));
            var document = SqliteDocumentRows.Write(i + 2, state, previous);
            Assert.Equal(Serializer(state), Read(document));
            var changes = SqliteDocumentRows.Changes(previous.Rows, document.Rows);
            Assert.True(changes.Upserts.Count(u => u.Key.Part.StartsWith(Applied, StringComparison.Ordinal)) <= 3, $"step {i}: {changes.Upserts.Count} rows written");
            Assert.True(changes.Deletes.Count <= 1, $"step {i}: {changes.Deletes.Count} rows deleted");
            Assert.All(Chunks(document), c => Assert.True(c.Value.Length <= SqliteArrayChunks.ChunkBytes, $"a chunk of {c.Value.Length} bytes"));
            previous = document;
        }

        var chunks = Chunks(previous);
        Assert.True(chunks.Count > 10, $"{chunks.Count} chunks");
        Assert.Equal(AccountState.AppliedCdrCapacity, state.AppliedCdrs.Count());
        Assert.Equal(Serializer(state), Read(SqliteDocumentRows.Write(1, state, null))); // cut anew, the same document
    }

    [Fact]
    public void A_chunk_whose_elements_are_all_still_there_keeps_its_bytes_and_is_not_serialized_again()
    {
        var state = WithApplied(200);
        var before = SqliteDocumentRows.Write(1, state, null);
        var middle = Chunks(before)[1];

        // Proof that the middle chunk is reused, not serialized again: a digit altered in its bytes shows up in the next version.
        var digit = Array.FindIndex(middle.Value, b => b is >= (byte)'0' and <= (byte)'8');
        middle.Value[digit]++;
        var next = state.RememberApplied(Id(200));
        var after = SqliteDocumentRows.Write(2, next, before);
        Assert.Same(middle.Value, after.Rows[middle.Key]);
        middle.Value[digit]--;
        Assert.Equal(Serializer(next), Read(after));
        var written = SqliteDocumentRows.Changes(before.Rows, after.Rows).Upserts.Where(u => u.Key.Part.StartsWith(Applied, StringComparison.Ordinal)).ToList();
        var one = Assert.Single(written); // the last chunk, or a new one after it when the last was full
        Assert.True(string.CompareOrdinal(one.Key.Member, Chunks(before)[^1].Key.Member) >= 0);
    }

    [Fact]
    public void An_array_that_is_not_the_one_before_shortened_and_extended_is_cut_anew_and_reads_back_as_written()
    {
        var state = WithApplied(300);
        var previous = SqliteDocumentRows.Write(1, state, null);
        var ids = state.AppliedCdrs.ToList();
        ImmutableQueue<string>[] others =
        [
            ImmutableQueue.CreateRange(Enumerable.Reverse(ids)),                    // reordered
            ImmutableQueue.CreateRange(ids.Where((_, i) => i != 150)),             // one taken out of the middle
            ImmutableQueue.CreateRange(ids.Select((id, i) => i == 10 ? "x" : id)), // one replaced
            ImmutableQueue.CreateRange(ids.Take(250)),                             // the newest taken off the end
            ImmutableQueue.CreateRange(ids.Skip(20).Concat(ids.Take(3))),          // the oldest dropped, and old ones appended again
            ImmutableQueue.CreateRange(ids.Take(5)),                               // short: back into the head
            [],
            ImmutableQueue.CreateRange(ids),                                       // long again, from nothing
        ];
        foreach (var applied in others)
        {
            var next = state with { AppliedCdrs = applied };
            var document = SqliteDocumentRows.Write(2, next, previous);
            Assert.Equal(Serializer(next), Read(document));
            Assert.Equal(Serializer(next), Read(SqliteDocumentRows.Write(2, next, null)));
            previous = document;
        }
    }

    [Fact]
    public async Task A_file_of_schema_4_with_its_arrays_whole_is_migrated_reads_back_identical_and_chunks_them_when_written()
    {
        using var store = new TempStore();
        var accounts = store.Stores.Accounts;
        var state = WithApplied(500);
        var etag = (await accounts.TryCreateAsync(state, default))!;
        Assert.True(Count(store, $"SELECT count(*) FROM account_parts WHERE part = '{Applied}[]'") > 5);

        // The file as schema 4 wrote it: the array whole in one row.
        var whole = JsonSerializer.SerializeToUtf8Bytes(state.AppliedCdrs, StoredJson.Options);
        await store.Database.WriteAsync(s =>
        {
            TempStore.AsSchema5(s);
            s.Command($"DELETE FROM account_parts WHERE part = '{Applied}[]'").ExecuteNonQuery();
            s.Command($"INSERT INTO account_parts (account_id, part, member, json) VALUES ('a', '{Applied}', '', $json)").With("$json", whole).ExecuteNonQuery();
            return s.Execute("DELETE FROM schema_version WHERE version >= 5");
        }, default);
        store.Reopen();
        Assert.Equal(SqliteSchema.Latest, store.Database.SchemaVersion);
        Assert.True(SqliteSchema.Latest >= 6, $"schema {SqliteSchema.Latest}");
        accounts = store.Stores.Accounts;
        var read = (await accounts.GetAsync("a", default))!;
        Assert.Equal((etag, Serializer(state)), (read.ETag, Serializer(read.Value)));

        var next = read.Value.RememberApplied(Id(500));
        var written = (await accounts.TryReplaceAsync(next, read.ETag, default))!;
        Assert.Equal(0, Count(store, $"SELECT count(*) FROM account_parts WHERE part = '{Applied}'"));
        Assert.True(Count(store, $"SELECT count(*) FROM account_parts WHERE part = '{Applied}[]'") > 5);
        store.Reopen();
        var again = (await store.Stores.Accounts.GetAsync("a", default))!;
        Assert.Equal((written, Serializer(next)), (again.ETag, Serializer(again.Value)));
    }

    private static long Count(TempStore store, string sql) => store.Database.Read(s => (long)s.Command(sql).ExecuteScalar()!);
}
