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
/// The versions of a session map share their tail chunk (its slots claimed once) and each holds its newest entry: maps
/// made from one version, or from an older version after newer ones took slots, on one thread or at once on several
/// (two writers of one document, one of which loses its conditional write), keep their own sessions and leave every
/// other version as it was, whatever each did (add, replace the newest or another, remove the newest, a tail entry or the
/// oldest); and a map's JSON is that of its sessions in ordinal id order, as before the tail was shared.
/// </summary>
public sealed class SessionMapBranchingTests
{
    private static readonly Session Template = SessionMapProperties.Template;

    /// <summary>
    /// Each step is one int: which version to continue from (any, old ones often), what to do (add a fresh id, replace
    /// the newest, replace another, remove the newest, remove another, remove the oldest, add and let the oldest go from
    /// the map just made, enumerate), and which session. After every step the version it came from is checked against
    /// its model again, and at the end every version, its look-ups of ids it never held included, and its JSON.
    /// </summary>
    [Property(MaxTest = 400)]
    public Property Versions_branching_from_any_version_keep_their_own_sessions(int[] steps)
    {
        var maps = new List<SessionMap> { SessionMap.Empty };
        List<List<Session>> models = [[]];
        var fresh = 0;
        foreach (var step in steps ?? [])
        {
            var value = step & int.MaxValue;
            var version = value % 3 == 0 ? (value / 3) % maps.Count : maps.Count - 1 - ((value / 7) % Math.Min(maps.Count, 3));
            var (map, model) = (maps[version], new List<Session>(models[version]));
            var pick = model.Count == 0 ? -1 : (value / 11) % model.Count;
            switch ((value / 101) % 12)
            {
                case 0 or 1 or 2 or 3 or 4:
                    map = Add(map, model, ref fresh, value);
                    break;
                case 5 when model.Count > 0:
                    map = Replace(map, model, model.Count - 1, value);
                    break;
                case 6 when model.Count > 0:
                    map = Replace(map, model, pick, value);
                    break;
                case 7 when model.Count > 0:
                    map = Without(map, model, model.Count - 1);
                    break;
                case 8 when model.Count > 0:
                    map = Without(map, model, pick);
                    break;
                case 9 when model.Count > 0:
                    map = Without(map, model, 0);
                    break;
                case 10 when model.Count > 0:
                    var id = Id(fresh++);
                    var added = Template with { SessionId = id, UsedSeconds = value % 1000 };
                    model.Add(added);
                    var leaving = model[value % 2 == 0 ? 0 : pick].SessionId;
                    model.RemoveAll(s => s.SessionId == leaving);
                    map = map.SetItem(id, added).RemoveUnshared(leaving);
                    break;
                default:
                    foreach (var _ in map)
                    {
                    }

                    break;
            }

            if (Mismatch(maps[version], models[version]) is { } before)
            {
                return false.Label($"version {version} changed after a map was made from it: {before}");
            }

            if (value % 5 == 0)
            {
                // Its order made now: the maps made from it make theirs from this one's.
                _ = map.Keys.Count();
            }

            maps.Add(map);
            models.Add(model);
        }

        for (var version = 0; version < maps.Count; version++)
        {
            if (Mismatch(maps[version], models[version]) is { } mismatch)
            {
                return false.Label($"version {version}: {mismatch}");
            }
        }

        foreach (var version in new[] { maps.Count - 1, maps.Count / 2, 0 })
        {
            if (JsonMismatch(maps[version], models[version]) is { } json)
            {
                return false.Label($"version {version}: {json}");
            }
        }

        return true.ToProperty();
    }

    /// <summary>
    /// A writer that took the tail's next slot loses its conditional write and its map is dropped; the winner (made from the
    /// same version, by an add, a replace of the newest or a remove) goes on adding across a chunk's end, and so does a
    /// writer that retries from the version it lost from, after both.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(SessionMap.ChunkSize - 2)]
    [InlineData(SessionMap.ChunkSize - 1)]
    [InlineData(SessionMap.ChunkSize)]
    [InlineData((2 * SessionMap.ChunkSize) + 5)]
    public void A_losing_writers_claimed_slot_leaves_the_winner_and_later_retries_whole(int size)
    {
        var fresh = 0;
        var (basis, basisModel) = Built(size + 1, ref fresh);
        foreach (var winner in new[] { "add", "replace-newest", "replace-oldest", "remove-newest", "remove-tail", "remove-oldest" })
        {
            var loserModel = new List<Session>(basisModel);
            var loser = Add(basis, loserModel, ref fresh, 1);

            var winnerModel = new List<Session>(basisModel);
            var won = winner switch
            {
                "add" => Add(basis, winnerModel, ref fresh, 2),
                "replace-newest" => Replace(basis, winnerModel, winnerModel.Count - 1, 3),
                "replace-oldest" => Replace(basis, winnerModel, 0, 4),
                "remove-newest" => Without(basis, winnerModel, winnerModel.Count - 1),
                "remove-tail" => Without(basis, winnerModel, Math.Max(0, winnerModel.Count - 2)),
                _ => Without(basis, winnerModel, 0),
            };

            for (var i = 0; i < (2 * SessionMap.ChunkSize) + 1; i++)
            {
                won = i % 3 == 2 ? Replace(won, winnerModel, winnerModel.Count - 1, i) : Add(won, winnerModel, ref fresh, i);
            }

            var retryModel = new List<Session>(basisModel);
            var retry = basis;
            for (var i = 0; i < SessionMap.ChunkSize + 2; i++)
            {
                retry = Add(retry, retryModel, ref fresh, i);
            }

            Assert.Null(Mismatch(basis, basisModel));
            Assert.Null(Mismatch(loser, loserModel));
            Assert.Null(Mismatch(won, winnerModel));
            Assert.Null(Mismatch(retry, retryModel));
            Assert.Null(JsonMismatch(won, winnerModel));
        }
    }

    /// <summary>
    /// Versions made one after another from one version (as many retries would) and then from each of those: every one
    /// but the first copies the tail, and each line, carried past a few chunk ends, keeps its own sessions.
    /// </summary>
    [Fact]
    public void Versions_made_from_an_older_version_after_newer_ones_took_its_slots_keep_their_own()
    {
        var fresh = 0;
        var (basis, basisModel) = Built(5, ref fresh);
        var lines = new List<(SessionMap Map, List<Session> Model)>();
        for (var line = 0; line < 6; line++)
        {
            var model = new List<Session>(basisModel);
            var map = basis;
            for (var i = 0; i <= line; i++)
            {
                map = Add(map, model, ref fresh, i);
            }

            lines.Add((map, model));
        }

        // Each line goes on, the longest first, then from its version before (after the newer one took the slot after it).
        var made = new List<(SessionMap Map, List<Session> Model)>(lines);
        for (var round = 0; round < 3 * SessionMap.ChunkSize; round++)
        {
            for (var line = lines.Count - 1; line >= 0; line--)
            {
                var (map, model) = lines[line];
                foreach (var again in new[] { false, true })
                {
                    var own = new List<Session>(model);
                    var next = (round % 5) switch
                    {
                        3 when own.Count > 0 => Without(map, own, own.Count - 1),
                        4 when own.Count > 1 => Without(map, own, 0),
                        _ => Add(map, own, ref fresh, round),
                    };
                    made.Add((next, own));
                    lines[line] = again ? (next, own) : lines[line];
                }
            }
        }

        Assert.Null(Mismatch(basis, basisModel));
        Assert.All(made, l => Assert.Null(Mismatch(l.Map, l.Model)));
    }

    /// <summary>
    /// Several writers at once, each from the same version of every round (the same document read by each), each doing
    /// something else to it, while readers on other threads read every version made so far: each writer's line keeps its own
    /// sessions, and no version changes while the others are made.
    /// </summary>
    [Fact]
    public void Writers_at_once_from_one_version_with_readers_on_other_threads_keep_every_version_whole()
    {
        const int Writers = 6, Rounds = 40, Steps = SessionMap.ChunkSize + 3;
        var fresh = 0;
        var (basis, basisModel) = Built(3, ref fresh);
        var published = new List<(SessionMap Map, Session[] Model)> { (basis, [.. basisModel]) };
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var stop = 0;
        var readers = Enumerable.Range(0, 2).Select(_ => Started(() =>
        {
            while (Volatile.Read(ref stop) == 0)
            {
                (SessionMap Map, Session[] Model)[] seen;
                lock (published)
                {
                    seen = [.. published];
                }

                foreach (var (map, model) in seen)
                {
                    if (Mismatch(map, [.. model]) is { } mismatch)
                    {
                        failures.Enqueue(mismatch);
                    }
                }
            }
        })).ToArray();

        try
        {
            var (version, model) = (basis, basisModel);
            for (var round = 0; round < Rounds; round++)
            {
                var ids = Enumerable.Range(0, Writers * Steps).Select(_ => Id(Interlocked.Increment(ref fresh))).ToArray();
                var results = new (SessionMap Map, List<Session> Model)[Writers];
                var (from, fromModel) = (version, model);
                Parallel.For(0, Writers, new ParallelOptions { MaxDegreeOfParallelism = Writers }, writer =>
                {
                    var own = new List<Session>(fromModel);
                    var map = from;
                    for (var step = 0; step < Steps; step++)
                    {
                        var next = ids[(writer * Steps) + step];
                        map = ((writer + step) % 6) switch
                        {
                            1 when own.Count > 0 => Replace(map, own, own.Count - 1, step),
                            2 when own.Count > 1 => Without(map, own, own.Count - 1),
                            3 when own.Count > 2 => Without(map, own, own.Count - 2),
                            4 when own.Count > 1 => Without(map, own, 0),
                            _ => AddAs(map, own, next, step),
                        };
                    }

                    results[writer] = (map, own);
                });

                lock (published)
                {
                    published.AddRange(results.Select(r => (r.Map, r.Model.ToArray())));
                }

                Assert.Null(Mismatch(from, fromModel));
                foreach (var (map, own) in results)
                {
                    Assert.Null(Mismatch(map, own));
                }

                // One writer wins; the next round reads its version (another each round), the others are dropped.
                (version, model) = results[round % Writers];
            }
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            Array.ForEach(readers, reader => reader.Join());
        }

        Assert.Empty(failures);
        foreach (var (map, model) in published)
        {
            Assert.Null(Mismatch(map, [.. model]));
        }
    }

    /// <summary>
    /// One writer makes versions one after another (each step from the one before, as a hot account's writes are) and
    /// hands each to readers on other threads through one shared field: a reader sees every session of the version it read,
    /// the slot written just before the version was made included.
    /// </summary>
    [Fact]
    public void A_version_handed_to_another_thread_shows_it_the_slot_written_for_it()
    {
        const int Versions = 20_000;
        var latest = new Holder(SessionMap.Empty, 0, -1);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var done = 0;
        var readers = Enumerable.Range(0, 2).Select(_ => Started(() =>
        {
            while (Volatile.Read(ref done) == 0)
            {
                var held = Volatile.Read(ref latest);
                var (map, first, last) = (held.Map, held.First, held.Last);
                if (map.Count != last - first + 1)
                {
                    failures.Enqueue($"count {map.Count}, not {last - first + 1}");
                    continue;
                }

                var expected = first;
                foreach (var session in map.Unordered)
                {
                    if (session is null || session.SessionId != Id(expected) || session.UsedSeconds != expected)
                    {
                        failures.Enqueue($"entry {expected} read as {session?.SessionId ?? "nothing"}");
                        break;
                    }

                    expected++;
                }

                if (last >= 0 && !map.ContainsKey(Id(last)))
                {
                    failures.Enqueue($"the newest, {last}, not found");
                }
            }
        })).ToArray();

        try
        {
            var (current, oldest) = (SessionMap.Empty, 0);
            for (var i = 0; i < Versions; i++)
            {
                current = current.SetItem(Id(i), Template with { SessionId = Id(i), UsedSeconds = i });
                if (current.Count > 3 * SessionMap.ChunkSize)
                {
                    current = current.Remove(Id(oldest++));
                }

                Volatile.Write(ref latest, new Holder(current, oldest, i));
            }
        }
        finally
        {
            Volatile.Write(ref done, 1);
            Array.ForEach(readers, reader => reader.Join());
        }

        Assert.Empty(failures);
    }

    /// <summary>
    /// The JSON of a map is that of a dictionary of its sessions in ordinal id order (the bytes stored before the tail was
    /// shared), whichever way it was made: added, replaced, removed from every place, read back and frozen in a document.
    /// </summary>
    [Fact]
    public void A_maps_json_is_its_sessions_in_ordinal_id_order_whichever_way_it_was_made()
    {
        var fresh = 0;
        var (map, model) = Built((2 * SessionMap.ChunkSize) + 3, ref fresh);
        map = Replace(map, model, model.Count - 1, 7);
        map = Replace(map, model, model.Count - 3, 8);
        map = Without(map, model, model.Count - 1);
        map = Without(map, model, model.Count - 2);
        map = Without(map, model, 0);
        map = Without(map, model, 4);
        map = Add(map, model, ref fresh, 9);
        map = AddAs(map, model, "A-upper", 10);
        map = AddAs(map, model, "s-\u00e9", 11);
        Assert.Null(JsonMismatch(map, model));

        var account = AccountState.Open("a", Fixtures.Prepaid(), 10m, Fixtures.Now);
        foreach (var session in model)
        {
            account = account.WithSession(session);
        }

        var stored = JsonSerializer.Serialize(account, StoredJson.Options);
        var read = JsonSerializer.Deserialize<AccountState>(stored, StoredJson.Options)!;
        Assert.Equal(stored, JsonSerializer.Serialize(read, StoredJson.Options));

        // The document read back, changed by two writers from the same version: each one's JSON is its own sessions'.
        var one = read.WithSession(Template with { SessionId = "z-one" });
        var two = read.WithSession(Template with { SessionId = "z-two" });
        Assert.Null(JsonMismatch(one.Sessions, [.. model, Template with { SessionId = "z-one" }]));
        Assert.Null(JsonMismatch(two.Sessions, [.. model, Template with { SessionId = "z-two" }]));
        Assert.Equal(stored, JsonSerializer.Serialize(read, StoredJson.Options));
    }

    /// <summary>A thread of its own (not the pool's, which Parallel.For also uses) running <paramref name="body"/>, started.</summary>
    private static Thread Started(ThreadStart body)
    {
        var thread = new Thread(body) { IsBackground = true };
        thread.Start();
        return thread;
    }

    private sealed record Holder(SessionMap Map, int First, int Last);

    private static string Id(int n) => "s-" + n.ToString("D5", CultureInfo.InvariantCulture);

    /// <summary>A map of <paramref name="size"/> fresh sessions, added one by one, and its model.</summary>
    private static (SessionMap Map, List<Session> Model) Built(int size, ref int fresh)
    {
        var (map, model) = (SessionMap.Empty, new List<Session>());
        for (var i = 0; i < size; i++)
        {
            map = Add(map, model, ref fresh, i);
        }

        return (map, model);
    }

    private static SessionMap Add(SessionMap map, List<Session> model, ref int fresh, int used) => AddAs(map, model, Id(fresh++), used);

    private static SessionMap AddAs(SessionMap map, List<Session> model, string id, int used)
    {
        var session = Template with { SessionId = id, UsedSeconds = used };
        model.Add(session);
        return map.SetItem(id, session);
    }

    private static SessionMap Replace(SessionMap map, List<Session> model, int at, int used)
    {
        var session = model[at] with { UsedSeconds = -1 - used };
        model[at] = session;
        return map.SetItem(session.SessionId, session);
    }

    private static SessionMap Without(SessionMap map, List<Session> model, int at)
    {
        var id = model[at].SessionId;
        model.RemoveAt(at);
        return map.Remove(id);
    }

    /// <summary>How <paramref name="map"/> differs from its model (sessions in insertion order), or null when it does not.</summary>
    private static string? Mismatch(SessionMap map, List<Session> model)
    {
        var lying = new List<Session>();
        foreach (var session in map.Unordered)
        {
            lying.Add(session);
        }

        var ordered = model.OrderBy(s => s.SessionId, StringComparer.Ordinal).ToList();
        if (map.Count != model.Count)
        {
            return $"count {map.Count}, not {model.Count}";
        }

        if (!lying.SequenceEqual(model, ReferenceEqualityComparer.Instance))
        {
            return $"lies as [{string.Join(", ", lying.Select(s => s.SessionId))}], not [{string.Join(", ", model.Select(s => s.SessionId))}]";
        }

        if (!map.Values.SequenceEqual(ordered, ReferenceEqualityComparer.Instance) || !map.Keys.SequenceEqual(ordered.Select(s => s.SessionId)))
        {
            return $"enumerates [{string.Join(", ", map.Keys)}]";
        }

        foreach (var session in model)
        {
            if (!ReferenceEquals(map.GetValueOrDefault(session.SessionId), session) || !map.ContainsKey(session.SessionId))
            {
                return $"look-up of {session.SessionId}";
            }
        }

        return map.ContainsKey("s-absent") || map.TryGetValue("never", out _) ? "holds an id it never had" : null;
    }

    /// <summary>How the JSON of <paramref name="map"/> (and of it read back) differs from that of its sessions in a dictionary in ordinal id order, or null.</summary>
    private static string? JsonMismatch(SessionMap map, List<Session> model)
    {
        var expected = JsonSerializer.Serialize(new SortedDictionary<string, Session>(model.ToDictionary(s => s.SessionId), StringComparer.Ordinal), StoredJson.Options);
        var json = JsonSerializer.Serialize(map, StoredJson.Options);
        if (json != expected)
        {
            return $"JSON {json} is not {expected}";
        }

        var read = JsonSerializer.Deserialize<SessionMap>(json, StoredJson.Options)!;
        return JsonSerializer.Serialize(read, StoredJson.Options) == json ? null : "JSON read back is written otherwise";
    }
}
