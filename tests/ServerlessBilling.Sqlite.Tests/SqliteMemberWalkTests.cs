using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>
/// A part written from the version before matches its members with those of then (by reference for sessions, in step,
/// by merging in name order, or by name) and notes what changed as it goes: the rows it says to write are those that
/// comparing every row finds, whatever the members did (added, removed, replaced by an equal or a different object).
/// </summary>
public sealed class SqliteMemberWalkTests
{
    public sealed record Item(string Label, int Count, string Padding);

    /// <summary>A document with an unordered dictionary, an ordered one, and the sessions.</summary>
    public sealed record Doc(string Id, Dictionary<string, Item> Loose, ImmutableSortedDictionary<string, Item> Sorted, SessionMap Sessions, int Revision);

    [Fact]
    public async Task Random_steps_on_dictionaries_and_sessions_write_the_rows_that_changed_and_read_back_as_written()
    {
        var pool = (await SqliteDocumentRowsTests.BusyVersionsAsync()).Last().Sessions.Values.ToList();
        Assert.True(pool.Count > 50);
        var random = new Random(11);
        var doc = new Doc("d", [], ImmutableSortedDictionary<string, Item>.Empty.WithComparers(StringComparer.Ordinal), SessionMap.Empty, 0);
        AccountDocument? previous = null;
        var byMember = new Dictionary<string, int>();
        for (var step = 0; step < 400; step++)
        {
            doc = Step(doc, step, pool, random);
            var written = SqliteDocumentRows.Write(step, doc, previous);
            SqliteDocumentRowsTests.AssertTakes(previous, written);
            Assert.Equal(Canonical(JsonSerializer.Serialize(doc, StoredJson.Options)), Canonical(Read(written)));
            foreach (var part in written.Rows.Keys.Where(k => k.Member.Length > 0).Select(k => k.Part).Distinct())
            {
                byMember[part] = byMember.GetValueOrDefault(part) + 1;
            }
            previous = step % 50 == 49 ? SqliteDocumentRows.Write(step, doc, null) : written; // now and then from nothing (no changes noted)
        }

        // Each dictionary was stored by member in many steps (and whole in others).
        Assert.All(["loose", "sorted", "sessions"], part => Assert.InRange(byMember.GetValueOrDefault(part), 40, 390));
    }

    [Fact]
    public async Task An_unchanged_session_keeps_its_entry_and_a_step_notes_only_the_sessions_it_touched()
    {
        var sessions = (await SqliteDocumentRowsTests.BusyVersionsAsync()).Last().Sessions;
        var values = sessions.Values.ToList();
        var doc = new Doc("d", [], ImmutableSortedDictionary<string, Item>.Empty, sessions, 0);
        var before = SqliteDocumentRows.Write(1, doc, null);
        var (removed, changed) = (values[values.Count / 3], values[values.Count / 2]);
        var added = changed with { SessionId = "~new" };
        var next = doc with { Sessions = sessions.Remove(removed.SessionId).SetItem(changed.SessionId, changed with { UsedSeconds = changed.UsedSeconds + 1 }).SetItem(added.SessionId, added) };
        var after = SqliteDocumentRows.Write(2, next, before);
        var changes = SqliteDocumentRows.Changes(before, after);
        Assert.Equal([("sessions", changed.SessionId, true), ("sessions", "~new", false)], changes.Upserts.Select(u => (u.Key.Part, u.Key.Member, u.Existed)).OrderBy(u => u.Member, StringComparer.Ordinal));
        Assert.Equal([new PartKey("sessions", removed.SessionId)], changes.Deletes);
        var kept = values[0].SessionId;
        Assert.Same(before.Rows[new PartKey("sessions", kept)], after.Rows[new PartKey("sessions", kept)]);
    }

    /// <summary>A few changes to the dictionaries: more added than removed in the first half of the steps, the other way in the second.</summary>
    private static Doc Step(Doc doc, int step, List<Session> pool, Random random)
    {
        var loose = new Dictionary<string, Item>(doc.Loose);
        var sorted = doc.Sorted;
        var sessions = doc.Sessions;
        for (var change = random.Next(4); change >= 0; change--)
        {
            var grow = random.NextDouble() < (step < 200 ? 0.7 : 0.3);
            var key = "k" + random.Next(40);
            switch (random.Next(3))
            {
                case 0 when grow:
                    loose[key] = NewItem(key, random);
                    break;
                case 0:
                    loose.Remove(loose.Keys.ElementAtOrDefault(random.Next(Math.Max(1, loose.Count))) ?? key);
                    break;
                case 1 when grow:
                    key = random.Next(20) == 0 ? "" : key; // now and then a member named "": the part is then stored whole
                    sorted = sorted.SetItem(key, sorted.GetValueOrDefault(key) is { } old && random.Next(2) == 0 ? old with { } : NewItem(key, random));
                    break;
                case 1:
                    sorted = sorted.Count == 0 ? sorted : sorted.Remove(sorted.ContainsKey("") && random.Next(2) == 0 ? "" : sorted.Keys.ElementAt(random.Next(sorted.Count)));
                    break;
                case 2 when grow:
                    var session = pool[random.Next(pool.Count)];
                    sessions = sessions.SetItem(session.SessionId, random.Next(2) == 0 ? session : session with { UsedSeconds = random.Next(100) });
                    break;
                default:
                    sessions = sessions.Count == 0 ? sessions : sessions.Remove(sessions.Keys.ElementAt(random.Next(sessions.Count)));
                    break;
            }
        }

        return doc with { Loose = loose, Sorted = sorted, Sessions = sessions, Revision = doc.Revision + 1 };
    }

    private static Item NewItem(string key, Random random) => new(key, random.Next(3), new string('x', random.Next(20, 300)));

    private static string Read(AccountDocument document) =>
        System.Text.Encoding.UTF8.GetString(SqliteDocumentRows.Assemble(document.Head, [.. document.Rows.Select(p => (p.Key.Part, p.Key.Member, p.Value))]));

    /// <summary>The JSON with every object's members in name order (the rows put a part's members back in name order).</summary>
    private static string Canonical(string json) => Sorted(JsonNode.Parse(json))?.ToJsonString() ?? "null";

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Sorted)]),
        null => null,
        _ => node.DeepClone(),
    };
}
