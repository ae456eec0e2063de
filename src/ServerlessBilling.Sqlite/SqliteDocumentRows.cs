using System.Buffers;
using System.Text.Json;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// How an account document lies in the file: as rows, so that a write stores only the parts that changed. SQLite
/// rewrites a whole record (and every overflow page of it) when any byte of it changes, so one JSON blob per
/// account costs every page of the document on every credit-control step, although a step changes one session and
/// a few totals. The split is by the JSON alone, whatever the document's type declares:
/// <list type="bullet">
/// <item>the head (the <c>doc</c> column of <c>accounts</c>, beside the version): a JSON object with every top-level
/// member smaller than <see cref="ApartBytes"/>; it changes on every write, and is small;</item>
/// <item>each larger top-level member is a row of <c>account_parts</c> with member '' (the whole value); or, when it
/// is an object of at least <see cref="ByMemberBytes"/>, one row per member of it (a dictionary's entry, such as one
/// session), so that a change to one entry writes one small row.</item>
/// </list>
/// Reading puts the document together again (members of a part stored by member come back in name order, which a
/// JSON object does not keep anyway). A member the head holds wins over a part row of the same name, so a whole
/// document written into <c>doc</c> (as schema 3 stored it, or by hand) is read as it is.
/// </summary>
internal static class SqliteDocumentRows
{
    /// <summary>A top-level member at least this long (bytes of its JSON value) is stored in its own row(s).</summary>
    public const int ApartBytes = 512;

    /// <summary>A top-level object at least this long is stored one row per member.</summary>
    public const int ByMemberBytes = 2048;

    /// <summary>The member column of a part stored whole. A part with a member of that name is stored whole.</summary>
    public const string Whole = "";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = StoredJson.Options.Encoder, SkipValidation = true };

    /// <summary>The rows of one written document.</summary>
    public static DocumentRows Split(JsonSnapshot document)
    {
        var bytes = document.Bytes;
        var root = document.Root;
        var parts = new Dictionary<PartKey, ReadOnlyMemory<byte>>();
        if (root.Members is not { } members || StoredJson.Options.WriteIndented)
        {
            return new DocumentRows(bytes, parts); // not an object walked member by member: all of it is the head
        }

        var head = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(head, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var member in members)
            {
                var value = bytes.AsMemory(member.Start, member.Length);
                if (member.Length < ApartBytes)
                {
                    writer.WritePropertyName(member.Name);
                    writer.WriteRawValue(value.Span, skipInputValidation: true);
                }
                else if (member.Length >= ByMemberBytes && root.Children?.GetValueOrDefault(member.Name) is { Members: { } inner } part
                    && Array.TrueForAll(inner, m => m.Name.Length > 0))
                {
                    foreach (var entry in inner)
                    {
                        parts[new PartKey(member.Name, entry.Name)] = bytes.AsMemory(part.Start + entry.Start, entry.Length);
                    }
                }
                else
                {
                    parts[new PartKey(member.Name, Whole)] = value;
                }
            }

            writer.WriteEndObject();
        }

        return new DocumentRows(head.WrittenSpan.ToArray(), parts);
    }

    /// <summary>
    /// What a write must do to the part rows to go from <paramref name="before"/> (the rows the file holds) to
    /// <paramref name="after"/>; with no <paramref name="before"/>, every row is replaced.
    /// </summary>
    public static PartChanges Changes(DocumentRows? before, DocumentRows after)
    {
        if (before is null)
        {
            return new PartChanges(ReplaceAll: true, [.. after.Parts.Select(p => new PartRow(p.Key, p.Value.ToArray()))], []);
        }

        var upserts = new List<PartRow>();
        foreach (var (key, value) in after.Parts)
        {
            if (!before.Parts.TryGetValue(key, out var old) || !old.Span.SequenceEqual(value.Span))
            {
                upserts.Add(new PartRow(key, value.ToArray()));
            }
        }

        var deletes = new List<PartKey>();
        foreach (var key in before.Parts.Keys)
        {
            if (!after.Parts.ContainsKey(key))
            {
                deletes.Add(key);
            }
        }

        return new PartChanges(ReplaceAll: false, upserts, deletes);
    }

    /// <summary>Runs <paramref name="changes"/> for an account inside the writer's transaction.</summary>
    public static void Apply(SqliteSession session, string accountId, PartChanges changes)
    {
        if (changes.ReplaceAll)
        {
            session.Command("DELETE FROM account_parts WHERE account_id = $id").With("$id", accountId).ExecuteNonQuery();
        }

        foreach (var key in changes.Deletes)
        {
            session.Command("DELETE FROM account_parts WHERE account_id = $id AND part = $part AND member = $member")
                .With("$id", accountId).With("$part", key.Part).With("$member", key.Member).ExecuteNonQuery();
        }

        foreach (var row in changes.Upserts)
        {
            session.Command("""
                INSERT INTO account_parts (account_id, part, member, json) VALUES ($id, $part, $member, $json)
                ON CONFLICT (account_id, part, member) DO UPDATE SET json = excluded.json
                """)
                .With("$id", accountId).With("$part", row.Key.Part).With("$member", row.Key.Member).With("$json", row.Json).ExecuteNonQuery();
        }
    }

    /// <summary>The document's JSON from its head and its part rows (in any order).</summary>
    public static byte[] Assemble(byte[] head, IReadOnlyList<(string Part, string Member, byte[] Json)> rows)
    {
        if (rows.Count == 0)
        {
            return head;
        }

        var buffer = new ArrayBufferWriter<byte>(head.Length + rows.Sum(r => r.Json.Length + r.Member.Length + 8));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        using (var parsed = JsonDocument.Parse(head))
        {
            writer.WriteStartObject();
            var inHead = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in parsed.RootElement.EnumerateObject())
            {
                inHead.Add(member.Name);
                member.WriteTo(writer);
            }

            foreach (var part in rows.Where(r => !inHead.Contains(r.Part)).GroupBy(r => r.Part, StringComparer.Ordinal))
            {
                writer.WritePropertyName(part.Key);
                if (part.FirstOrDefault(r => r.Member.Length == 0) is { Json: { } whole })
                {
                    writer.WriteRawValue(whole, skipInputValidation: true);
                    continue;
                }

                writer.WriteStartObject();
                foreach (var entry in part.OrderBy(r => r.Member, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(entry.Member);
                    writer.WriteRawValue(entry.Json, skipInputValidation: true);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>A part row's key: the top-level member, and the member of it ('' when the part is stored whole).</summary>
internal readonly record struct PartKey(string Part, string Member);

internal sealed record PartRow(PartKey Key, byte[] Json);

/// <summary>The head (the <c>doc</c> column) and the part rows of one document.</summary>
internal sealed record DocumentRows(byte[] Head, IReadOnlyDictionary<PartKey, ReadOnlyMemory<byte>> Parts);

/// <summary>The part rows a write puts (inserted or replaced) and deletes; <see cref="ReplaceAll"/> deletes every part row of the account first.</summary>
internal sealed record PartChanges(bool ReplaceAll, IReadOnlyList<PartRow> Upserts, IReadOnlyList<PartKey> Deletes);

/// <summary>What was last written for an account: its version, its JSON (for the next version to reuse) and its rows (what the file holds).</summary>
internal sealed record AccountDocument(long Version, JsonSnapshot Json, DocumentRows Rows);
