using System.Globalization;
using System.Text.Json;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>Elements appended to a chunked array follow the last chunk's bytes as they were written, not serialized again, and cut where a whole cut would.</summary>
public sealed class SqliteArrayChunkAppendTests
{
    private const string Part = "appliedCdrs[]";

    private static string Id(int i) => "cdr-" + i.ToString("D8", CultureInfo.InvariantCulture);

    private static List<KeyValuePair<PartKey, byte[]>> Chunks(AccountDocument document) =>
        [.. document.Rows.Where(r => r.Key.Part == Part && r.Key.Member != SqliteArrayChunks.SkipMember).OrderBy(r => r.Key.Member, StringComparer.Ordinal)];

    [Fact]
    public void An_appended_id_keeps_the_last_chunks_bytes_and_the_chunks_are_those_a_cut_of_the_whole_array_makes()
    {
        var state = AccountState.Open("a", Fixtures.Prepaid(), 10m, Fixtures.Now);
        var previous = SqliteDocumentRows.Write(1, state, null);
        var proven = 0;
        for (var i = 0; i < 400; i++)
        {
            state = state.RememberApplied(Id(i));
            if (Chunks(previous) is [.., var last] && Array.FindIndex(last.Value, b => b is >= (byte)'0' and <= (byte)'8') is var digit and >= 0)
            {
                // A digit altered in the last chunk before shows up in the chunk that grows from it only if its bytes are kept.
                last.Value[digit]++;
                var probe = SqliteDocumentRows.Write(i + 2, state, previous);
                var grown = Chunks(probe).Single(c => c.Key.Member == last.Key.Member).Value;
                proven += grown.Length > last.Value.Length && grown[digit] == last.Value[digit] ? 1 : 0;
                last.Value[digit]--;
            }

            var document = SqliteDocumentRows.Write(i + 2, state, previous);

            // The chunks (keys and bytes) are those that cutting the whole array from nothing makes (no id was dropped yet).
            var whole = SqliteDocumentRows.Write(1, state, null);
            Assert.Equal(Chunks(whole).Select(c => (c.Key.Member, Convert.ToHexString(c.Value))), Chunks(document).Select(c => (c.Key.Member, Convert.ToHexString(c.Value))));
            Assert.Equal(JsonSerializer.Serialize(state, StoredJson.Options), JsonSerializer.Serialize(SqliteValues.FromJson<AccountState>(
                SqliteDocumentRows.Assemble(document.Head, [.. document.Rows.Select(p => (p.Key.Part, p.Key.Member, p.Value))])), StoredJson.Options));
            previous = document;
        }

        Assert.True(proven > 300, $"the last chunk's bytes were kept in {proven} of 400 steps");
    }
}
