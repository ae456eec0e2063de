using System.Globalization;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Accounts;

/// <summary>
/// The sessions map against its reference model, a list of sessions in insertion order (a replaced session keeps its
/// place): the same sessions, enumerated in id order (and, as they lie, in the model's order), the same count and the
/// same answer to every look-up, whichever version of a line of maps is used (versions share their chunks, and a
/// published document's map never changes), with more sessions than a chunk holds, removals from the front, the middle
/// and the tail, and orders made from an earlier map's or sorted, and the same count of active sessions (counted, or carried
/// from the map it was made from); and its JSON read back is written as the same bytes.
/// </summary>
public sealed class SessionMapProperties
{
    internal static readonly Session Template = new()
    {
        SessionId = "template",
        Fingerprint = "f",
        StartTime = Fixtures.Now,
        Prefix = "44",
        Destination = "United Kingdom",
        Tariff = Fixtures.Deck().Find("+442071234567", Fixtures.Now)!.Tariff,
        AuthorizeAnswer = new GrantAnswer("template", ResultCode.Success, 60, 60, false, 0.01m, 0.01m, "GBP", 1m),
    };

    /// <summary>
    /// Each step is one int: which earlier version to continue from, what to do (store, remove, remove the oldest, look
    /// up, clear, store and let the oldest go from the map just made) and which of a few dozen ids (so that look-ups hit, ids come back and chunks fill and empty).
    /// </summary>
    [Property(MaxTest = 300)]
    public Property A_map_behaves_like_an_insertion_ordered_list(int[] steps)
    {
        var maps = new List<SessionMap> { SessionMap.Empty };
        List<List<Session>> models = [[]];
        foreach (var step in steps ?? [])
        {
            var value = step & int.MaxValue;
            var version = value % 5 == 0 ? value % maps.Count : maps.Count - 1;
            var (map, model) = (maps[version], new List<Session>(models[version]));
            var id = "s-" + ((value / 5) % 37).ToString(CultureInfo.InvariantCulture);
            switch ((value / 200) % 10)
            {
                case 0 or 1 or 2 or 3:
                    var session = Template with { SessionId = id, UsedSeconds = value % 1000, Status = StatusOf(value) };
                    Store(model, session);
                    map = map.SetItem(id, session);
                    break;
                case 4 or 5:
                    model.RemoveAll(s => s.SessionId == id);
                    map = map.Remove(id);
                    break;
                case 6 or 7:
                    if (model.Count > 0)
                    {
                        map = map.Remove(model[0].SessionId);
                        model.RemoveAt(0);
                    }

                    break;
                case 8:
                    if (map.TryGetValue(id, out var found) != model.Exists(s => s.SessionId == id) || found != model.Find(s => s.SessionId == id))
                    {
                        return false.Label($"look-up of {id} in version {version}");
                    }

                    continue;
                default:
                    if (value % 7 == 0)
                    {
                        model.Clear();
                        map = map.Clear();
                    }
                    else if (value % 7 <= 3 && model.Count > 0)
                    {
                        // A session stored and the oldest (or another) let go in the same step, the map in between shown to no one.
                        var stored = Template with { SessionId = id, UsedSeconds = value % 1000, Status = StatusOf(value) };
                        Store(model, stored);
                        var leaving = value % 7 == 3 ? model[model.Count / 2].SessionId : model[0].SessionId;
                        model.RemoveAll(s => s.SessionId == leaving);
                        map = map.SetItem(id, stored).RemoveUnshared(leaving);
                    }

                    break;
            }

            if (value % 3 == 0)
            {
                // Enumerated now: the maps made from it make their order from this one's.
                foreach (var _ in map)
                {
                }
            }

            if (value % 4 == 1 && map.ActiveCount != model.Count(s => s.Status == SessionStatus.Active))
            {
                // Counted now: the maps made from it carry the count on.
                return false.Label($"active count of version {maps.Count}");
            }

            maps.Add(map);
            models.Add(model);
        }

        foreach (var (map, model) in maps.Zip(models))
        {
            var ordered = model.OrderBy(s => s.SessionId, StringComparer.Ordinal).ToList();
            var lying = new List<Session>();
            foreach (var session in map.Unordered)
            {
                lying.Add(session);
            }

            if (!map.Select(p => p.Value).SequenceEqual(ordered, ReferenceEqualityComparer.Instance)
                || !lying.SequenceEqual(model, ReferenceEqualityComparer.Instance)
                || !map.All(p => p.Key == p.Value.SessionId)
                || map.Count != model.Count
                || map.ActiveCount != model.Count(s => s.Status == SessionStatus.Active)
                || !map.Keys.SequenceEqual(ordered.Select(s => s.SessionId))
                || !Enumerable.Range(0, 38).Select(i => "s-" + i.ToString(CultureInfo.InvariantCulture))
                    .All(id => map.ContainsKey(id) == model.Exists(s => s.SessionId == id) && map.GetValueOrDefault(id) == model.Find(s => s.SessionId == id)))
            {
                return false.Label($"a version against its model: [{string.Join(", ", map.Keys)}] vs [{string.Join(", ", model.Select(s => s.SessionId))}]");
            }
        }

        var last = maps[^1];
        var json = JsonSerializer.Serialize(last, StoredJson.Options);
        var read = JsonSerializer.Deserialize<SessionMap>(json, StoredJson.Options)!;
        var shuffled = SessionMap.Empty;
        foreach (var session in last.Values.Reverse())
        {
            shuffled = shuffled.SetItem(session.SessionId, session);
        }

        return (read.Keys.SequenceEqual(last.Keys) && JsonSerializer.Serialize(read, StoredJson.Options) == json
                && JsonSerializer.Serialize(shuffled, StoredJson.Options) == json)
            .Label("the newest map's JSON, read back or built in another order, is written as the same bytes");
    }

    /// <summary>Active or not, by the step: the active count (carried from map to map) follows both kinds of change.</summary>
    private static SessionStatus StatusOf(int value) => (value / 7) % 2 == 0 ? SessionStatus.Active : SessionStatus.Terminated;

    /// <summary>The model's store: in its place if the id is held, else last.</summary>
    private static void Store(List<Session> model, Session session)
    {
        var at = model.FindIndex(s => s.SessionId == session.SessionId);
        if (at >= 0)
        {
            model[at] = session;
        }
        else
        {
            model.Add(session);
        }
    }

    /// <summary>
    /// Maps made at once on several threads from one version (retried writes) each take or copy the tail's next slot, never
    /// both the same: every line keeps its own sessions, the newest included, and the version they came from is unchanged.
    /// </summary>
    [Fact]
    public void Lines_of_maps_made_at_once_from_one_version_keep_their_own_sessions()
    {
        var basis = SessionMap.Empty;
        var basisIds = Enumerable.Range(0, SessionMap.ChunkSize + 3).Select(i => "b-" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        foreach (var id in basisIds)
        {
            basis = basis.SetItem(id, Template with { SessionId = id });
        }

        var basisKeys = basis.Keys.ToList();
        const int Lines = 8, Steps = 3 * SessionMap.ChunkSize;
        var lines = new SessionMap[Lines];
        Parallel.For(0, Lines, new ParallelOptions { MaxDegreeOfParallelism = Lines }, line =>
        {
            var map = basis;
            for (var step = 0; step < Steps; step++)
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"l{line}-{step}");
                map = map.SetItem(id, Template with { SessionId = id, UsedSeconds = step });
                if (step % 4 == 3)
                {
                    // The session just added, replaced (as terminate does after authorize).
                    map = map.SetItem(id, Template with { SessionId = id, UsedSeconds = -step });
                }
            }

            lines[line] = map;
        });

        Assert.Equal(basisKeys, basis.Keys);
        Assert.Equal(basisIds.Count, basis.Count);
        for (var line = 0; line < Lines; line++)
        {
            var own = Enumerable.Range(0, Steps).Select(step => string.Create(CultureInfo.InvariantCulture, $"l{line}-{step}"));
            var lying = new List<string>();
            foreach (var session in lines[line].Unordered)
            {
                lying.Add(session.SessionId);
            }

            Assert.Equal(basisIds.Count + Steps, lines[line].Count);
            Assert.Equal([.. basisIds, .. own], lying);
            Assert.All(Enumerable.Range(0, Steps), step => Assert.Equal(
                step % 4 == 3 ? -step : step, lines[line][string.Create(CultureInfo.InvariantCulture, $"l{line}-{step}")].UsedSeconds));
        }
    }

    [Fact]
    public void A_map_is_immutable_once_built()
    {
        var map = SessionMap.Empty.SetItem("a", Template with { SessionId = "a" });
        IDictionary<string, Session> asDictionary = map;

        Assert.True(asDictionary.IsReadOnly);
        Assert.Throws<NotSupportedException>(() => asDictionary["b"] = Template with { SessionId = "b" });
        Assert.Throws<NotSupportedException>(() => asDictionary.Remove("a"));
        Assert.Throws<ArgumentException>(() => map.SetItem("b", Template with { SessionId = "a" }));
        Assert.Equal(["a"], map.Keys);
    }

    [Fact]
    public void A_map_filled_by_a_deserializer_is_frozen_when_the_document_takes_it()
    {
        var account = AccountState.Open("a", Fixtures.Prepaid(), 10m, Fixtures.Now).WithSession(Template with { SessionId = "x" });
        var read = JsonSerializer.Deserialize<AccountState>(JsonSerializer.Serialize(account, StoredJson.Options), StoredJson.Options)!;

        Assert.True(((IDictionary<string, Session>)read.Sessions).IsReadOnly);
        Assert.Equal(["x"], read.Sessions.Keys);
    }
}
