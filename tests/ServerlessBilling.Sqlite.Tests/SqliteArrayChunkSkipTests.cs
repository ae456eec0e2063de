using System.Globalization;
using System.Text;
using System.Text.Json;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>
/// The chunks of a long array keep their bytes while its oldest elements go (schema 7, <see cref="SqliteArrayChunks.SkipMember"/>):
/// a step of a full window writes the last chunk and the skip row, never the first chunk; the array reads back as written
/// across every shift, from the rows and from the file, and files without skip rows read as before.
/// </summary>
public sealed class SqliteArrayChunkSkipTests
{
    private const string Applied = "appliedCdrs";
    private const string Part = Applied + SqliteDocumentRows.ArraySuffix;

    private static string Serializer(AccountState state) => JsonSerializer.Serialize(state, StoredJson.Options);

    private static string Read(AccountDocument document) => Serializer(SqliteValues.FromJson<AccountState>(
        SqliteDocumentRows.Assemble(document.Head, [.. document.Rows.Select(p => (p.Key.Part, p.Key.Member, p.Value))])));

    private static string Id(int i) => "cdr-" + i.ToString("D8", CultureInfo.InvariantCulture);

    private static AccountState WithApplied(int count, int from = 0)
    {
        var state = AccountState.Open("a", Fixtures.Prepaid(), 10m, Fixtures.Now);
        for (var i = from; i < from + count; i++)
        {
            state = state.RememberApplied(Id(i));
        }

        return state;
    }

    private static List<KeyValuePair<PartKey, byte[]>> Rows(AccountDocument document) =>
        [.. document.Rows.Where(r => r.Key.Part == Part).OrderBy(r => r.Key.Member, StringComparer.Ordinal)];

    [Fact]
    public void A_full_window_shifted_one_id_or_a_batch_at_a_time_writes_the_last_chunk_and_the_skip_row_only_and_reads_back_as_written()
    {
        foreach (var step in new[] { 1, 5, 37 })
        {
            var state = WithApplied(AccountState.AppliedCdrCapacity);
            var previous = SqliteDocumentRows.Write(1, state, null);
            var next = AccountState.AppliedCdrCapacity;
            for (var round = 0; round < 1500 / step; round++)
            {
                for (var i = 0; i < step; i++)
                {
                    state = state.RememberApplied(Id(next++));
                }

                var document = SqliteDocumentRows.Write(round + 2, state, previous);
                Assert.Equal(Serializer(state), Read(document));
                var before = Rows(previous);
                var changes = SqliteDocumentRows.Changes(previous, document);
                var chunkUpserts = changes.Upserts.Where(u => u.Key.Part == Part && u.Key.Member != SqliteArrayChunks.SkipMember).ToList();

                // Only the last chunk (and new ones after it) is written: every chunk before it keeps its row.
                var lastBefore = before.Last(r => r.Key.Member != SqliteArrayChunks.SkipMember).Key.Member;
                Assert.All(chunkUpserts, u => Assert.True(string.CompareOrdinal(u.Key.Member, lastBefore) >= 0, $"step {step}, round {round}: chunk {u.Key.Member} written"));
                Assert.True(changes.Upserts.Count(u => u.Key.Part == Part) <= 3, $"step {step}, round {round}: {changes.Upserts.Count} rows written");

                // A dropped chunk is deleted whole, the oldest first.
                Assert.All(changes.Deletes.Where(d => d.Part == Part && d.Member != SqliteArrayChunks.SkipMember), d => Assert.True(string.CompareOrdinal(d.Member, lastBefore) < 0));
                Assert.All(Rows(document).Where(r => r.Key.Member != SqliteArrayChunks.SkipMember), c => Assert.True(c.Value.Length <= SqliteArrayChunks.ChunkBytes, $"a chunk of {c.Value.Length} bytes"));
                previous = document;
            }

            Assert.Equal(AccountState.AppliedCdrCapacity, state.AppliedCount);
            Assert.Equal(Serializer(state), Read(SqliteDocumentRows.Write(1, state, null))); // cut anew: the same document, no skip row
            Assert.DoesNotContain(Rows(SqliteDocumentRows.Write(1, state, null)), r => r.Key.Member == SqliteArrayChunks.SkipMember);
        }
    }

    [Fact]
    public void The_skip_row_sorts_after_every_chunk_and_counts_the_ids_of_the_first_chunk_that_were_dropped()
    {
        var state = WithApplied(AccountState.AppliedCdrCapacity);
        var previous = SqliteDocumentRows.Write(1, state, null);
        Assert.DoesNotContain(Rows(previous), r => r.Key.Member == SqliteArrayChunks.SkipMember);
        var skips = new HashSet<int>();
        for (var i = 0; i < 200; i++)
        {
            state = state.RememberApplied(Id(5000 + i));
            var document = SqliteDocumentRows.Write(i + 2, state, previous);
            var rows = Rows(document);
            Assert.Equal(SqliteArrayChunks.SkipMember, rows[^1].Key.Member); // from the first drop on
            var skip = int.Parse(Encoding.UTF8.GetString(rows[^1].Value), CultureInfo.InvariantCulture);
            var firstChunk = JsonSerializer.Deserialize<string[]>(rows[0].Value)!;
            Assert.InRange(skip, 0, firstChunk.Length - 1);
            Assert.Equal(state.AppliedCdrs.First(), firstChunk[skip]);
            skips.Add(skip);
            previous = document;
        }

        Assert.Contains(0, skips); // a chunk went whole
        Assert.True(skips.Count > 10);
    }

    [Fact]
    public void Join_skips_the_leading_elements_the_skip_row_counts_even_past_the_first_chunk()
    {
        (string, byte[]) Row(string member, string json) => (member, Encoding.UTF8.GetBytes(json));
        var chunks = new[] { Row("0000000000000001", """["a","b","c"]"""), Row("0000000000000002", """[{"x":[1,2]},"e"]"""), Row("0000000000000003", """["f"]""") };
        string Joined(params (string, byte[])[] rows) => Encoding.UTF8.GetString(SqliteArrayChunks.Join(rows));
        Assert.Equal("""["a","b","c",{"x":[1,2]},"e","f"]""", Joined(chunks));
        Assert.Equal("""["b","c",{"x":[1,2]},"e","f"]""", Joined([.. chunks, Row(SqliteArrayChunks.SkipMember, "1")]));
        Assert.Equal("""[{"x":[1,2]},"e","f"]""", Joined([.. chunks, Row(SqliteArrayChunks.SkipMember, "3")]));
        Assert.Equal("""["e","f"]""", Joined([.. chunks, Row(SqliteArrayChunks.SkipMember, "4")]));
        Assert.Equal("""["a","b","c",{"x":[1,2]},"e","f"]""", Joined([.. chunks, Row(SqliteArrayChunks.SkipMember, "0")]));
        Assert.Throws<InvalidDataException>(() => Joined([.. chunks, Row(SqliteArrayChunks.SkipMember, "\"x\"")]));
    }

    [Fact]
    public async Task Through_the_store_a_full_window_shifted_many_times_reads_back_identical_after_a_restart()
    {
        using var store = new TempStore();
        var accounts = store.Stores.Accounts;
        var state = WithApplied(AccountState.AppliedCdrCapacity);
        var etag = (await accounts.TryCreateAsync(state, default))!;
        for (var i = 0; i < 120; i++)
        {
            for (var k = 0; k < 5; k++)
            {
                state = state.RememberApplied(Id(10_000 + (i * 5) + k));
            }

            etag = (await accounts.TryReplaceAsync(state, etag, default))!;
            Assert.NotNull(etag);
            if (i % 40 == 7)
            {
                store.Reopen(); // the next write starts from the file, with no rows of the version before
                accounts = store.Stores.Accounts;
                var read = (await accounts.GetAsync("a", default))!;
                Assert.Equal((etag, Serializer(state)), (read.ETag, Serializer(read.Value)));
            }
        }

        Assert.InRange(Count(store, $"SELECT count(*) FROM account_parts WHERE part = '{Part}' AND member = '{SqliteArrayChunks.SkipMember}'"), 0, 1);
        store.Reopen();
        var again = (await store.Stores.Accounts.GetAsync("a", default))!;
        Assert.Equal((etag, Serializer(state)), (again.ETag, Serializer(again.Value)));
        Assert.Equal(AccountState.AppliedCdrCapacity, again.Value.AppliedCount);
    }

    [Fact]
    public async Task A_file_of_the_schema_before_with_chunks_cut_anew_on_each_shift_is_migrated_and_reads_back_identical()
    {
        using var store = new TempStore();
        var accounts = store.Stores.Accounts;
        var state = WithApplied(AccountState.AppliedCdrCapacity);
        var etag = (await accounts.TryCreateAsync(state, default))!;

        // As the schema before wrote it: the first chunk cut again without its dropped ids, no skip row.
        state = state.RememberApplied(Id(50_000));
        var old = JsonSerializer.Deserialize<List<string>>(JsonSerializer.SerializeToUtf8Bytes(state.AppliedCdrs, StoredJson.Options))!;
        await store.Database.WriteAsync(s =>
        {
            s.Command($"DELETE FROM account_parts WHERE part = '{Part}'").ExecuteNonQuery();
            for (var c = 0; c * 20 < old.Count; c++)
            {
                s.Command($"INSERT INTO account_parts (account_id, part, member, json) VALUES ('a', '{Part}', $m, $json)")
                    .With("$m", c.ToString("x16", CultureInfo.InvariantCulture))
                    .With("$json", JsonSerializer.SerializeToUtf8Bytes(old.Skip(c * 20).Take(20), StoredJson.Options)).ExecuteNonQuery();
            }

            s.Command("UPDATE accounts SET version = version + 1 WHERE account_id = 'a'").ExecuteNonQuery();
            return s.Execute($"DELETE FROM schema_version WHERE version >= {SqliteSchema.Latest}");
        }, default);
        store.Reopen();
        Assert.Equal(SqliteSchema.Latest, store.Database.SchemaVersion);
        accounts = store.Stores.Accounts;
        var read = (await accounts.GetAsync("a", default))!;
        Assert.Equal(Serializer(state), Serializer(read.Value));

        // Written by this build from there on: shifted with skip rows, and read back identical.
        var next = read.Value;
        etag = read.ETag;
        for (var i = 0; i < 30; i++)
        {
            next = next.RememberApplied(Id(60_000 + i));
            etag = (await accounts.TryReplaceAsync(next, etag, default))!;
        }

        store.Reopen();
        var again = (await store.Stores.Accounts.GetAsync("a", default))!;
        Assert.Equal((etag, Serializer(next)), (again.ETag, Serializer(again.Value)));
    }

    private static long Count(TempStore store, string sql) => store.Database.Read(s => (long)s.Command(sql).ExecuteScalar()!);
}
