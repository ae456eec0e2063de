using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessBilling.Core.Accounts;

namespace ServerlessBilling.Core.Tests.Accounts;

/// <summary>
/// The window against its reference model, a plain list trimmed from the front: the same entries in the same order, the
/// same count, and the same answer to every look-up, whichever version of a line of windows is used (versions share
/// their chunks), with capacities below and beyond a chunk's size.
/// </summary>
public sealed class IdWindowProperties
{
    /// <summary>
    /// Each step is one int: which earlier version to continue from (so that old versions are added to and asked
    /// again), whether to add or to look up, and which of a few ids (so that look-ups hit and ids repeat).
    /// </summary>
    [Property(MaxTest = 300)]
    public Property A_window_behaves_like_a_trimmed_list(int[] steps, PositiveInt capacitySeed)
    {
        var capacity = 1 + (capacitySeed.Get % 48);
        var windows = new List<IdWindow<string>> { IdWindow<string>.Empty };
        List<List<string>> models = [[]];
        foreach (var step in steps ?? [])
        {
            var value = step & int.MaxValue;
            var version = value % windows.Count < windows.Count - 1 && value % 7 == 0 ? value % windows.Count : windows.Count - 1;
            var id = "c-" + ((value / 7) % (2 * capacity + 3)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if ((value / 3) % 3 == 0)
            {
                if (windows[version].Contains(id) != models[version].Contains(id))
                {
                    return false.Label($"look-up of {id} in version {version} of capacity {capacity}");
                }

                continue;
            }

            var model = new List<string>(models[version]) { id };
            if (model.Count > capacity)
            {
                model.RemoveRange(0, model.Count - capacity);
            }

            windows.Add(windows[version].Add(id, capacity));
            models.Add(model);
        }

        return (windows.Zip(models).All(pair => pair.First.Items.SequenceEqual(pair.Second)
                && pair.First.Count == pair.Second.Count
                && pair.Second.Concat(["absent"]).All(id => pair.First.Contains(id) == pair.Second.Contains(id))))
            .Label($"every version against its model, capacity {capacity}");
    }

    /// <summary>
    /// Groups added at once (<see cref="IdWindow{T}.AddRange"/>) give the window of adding them one by one, from the newest
    /// version or an older one (whose chunks a newer version already writes into), with capacities small and large
    /// against the chunks' sizes; every version keeps its own entries.
    /// </summary>
    [Property(MaxTest = 300)]
    public Property A_group_added_at_once_is_the_window_of_adding_it_one_by_one(int[] steps, PositiveInt capacitySeed)
    {
        var capacity = 1 + (capacitySeed.Get % 150);
        var windows = new List<IdWindow<string>> { IdWindow<string>.Empty };
        List<List<string>> models = [[]];
        var n = 0;
        foreach (var step in steps ?? [])
        {
            var value = step & int.MaxValue;
            var version = value % 5 == 0 ? value % windows.Count : windows.Count - 1;
            var group = Enumerable.Range(0, (value / 5) % 90).Select(_ => "g-" + (n++ % (3 * capacity)).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            var oneByOne = group.Aggregate(windows[version], (window, id) => window.Add(id, capacity));
            var atOnce = windows[version].AddRange(group, capacity);
            var model = models[version].Concat(group).ToList();
            model.RemoveRange(0, Math.Max(0, model.Count - capacity));
            if (!atOnce.Items.SequenceEqual(model) || !oneByOne.Items.SequenceEqual(model) || atOnce.Count != model.Count
                || Enumerable.Range(0, model.Count).Any(i => atOnce.Items[i] != model[i])
                || !model.Concat(["absent", "g-0"]).All(id => atOnce.Contains(id) == model.Contains(id)))
            {
                return false.Label($"group of {group.Count} onto version {version}, capacity {capacity}");
            }

            windows.Add(atOnce);
            models.Add(model);
        }

        return windows.Zip(models).All(pair => pair.First.Items.SequenceEqual(pair.Second) && pair.Second.All(pair.First.Contains))
            .Label($"every version keeps its entries, capacity {capacity}");
    }

    [Property(MaxTest = 200)]
    public Property A_stored_window_answers_like_its_entries(string[] ids, NonEmptyString probe)
    {
        var stored = (ids ?? []).Where(id => id is not null).ToList();
        var window = IdWindow<string>.Of(stored);
        return (window.Count == stored.Count
                && window.Items.SequenceEqual(stored)
                && window.Contains(probe.Get) == stored.Contains(probe.Get)
                && stored.All(window.Contains))
            .ToProperty();
    }

    [Fact]
    public void A_newer_version_answers_for_itself_and_an_older_one_still_answers_for_itself()
    {
        var window = IdWindow<string>.Of(Enumerable.Range(0, 40).Select(i => $"c-{i}"));
        Assert.True(window.Contains("c-0"));
        var next = window.Add("c-40", capacity: 40);

        Assert.False(next.Contains("c-0"));
        Assert.True(next.Contains("c-40"));
        Assert.True(window.Contains("c-0")); // the older version still sees its own entries
        Assert.False(window.Contains("c-40"));

        var branch = window.Add("other", capacity: 40);
        Assert.True(branch.Contains("other"));
        Assert.False(branch.Contains("c-40"));
        Assert.True(next.Contains("c-40"));
    }

    [Fact]
    public void Look_ups_and_adds_from_many_threads_agree_with_the_model()
    {
        var ids = Enumerable.Range(0, 200).Select(i => $"c-{i}").ToList();
        var window = IdWindow<string>.Of(ids);
        var failures = 0;
        Parallel.For(0, 64, n =>
        {
            var own = window;
            var expected = new List<string>(ids);
            for (var i = 0; i < 300; i++)
            {
                var probe = $"c-{(n * 7 + i) % 400}";
                if (own.Contains(probe) != expected.Contains(probe) || window.Contains(probe) != ids.Contains(probe))
                {
                    Interlocked.Increment(ref failures);
                }

                var added = $"t{n}-{i}";
                own = own.Add(added, capacity: 200);
                expected.Add(added);
                expected.RemoveAt(0);
            }
        });

        Assert.Equal(0, failures);
    }

    /// <summary>
    /// Long windows (chunks of 16 and more carry a filter of their hash codes): versions branched from older ones (their
    /// chunks copied, filters with them) and added to further still find every entry they hold and none they do not.
    /// </summary>
    [Fact]
    public void Long_windows_branched_from_older_versions_find_exactly_their_own_entries()
    {
        const int capacity = AccountState.AppliedCdrCapacity;
        var random = new Random(20261201);
        var windows = new List<(IdWindow<string> Window, List<string> Model)> { (IdWindow<string>.Empty, []) };
        for (var i = 0; i < 3000; i++)
        {
            var (window, model) = random.Next(10) == 0 ? windows[random.Next(windows.Count)] : windows[^1];
            var id = "cdr-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var next = new List<string>(model) { id };
            if (next.Count > capacity)
            {
                next.RemoveRange(0, next.Count - capacity);
            }

            windows.Add((window.Add(id, capacity), next));
        }

        foreach (var (window, model) in windows.Where((_, i) => i % 97 == 0 || i == windows.Count - 1))
        {
            var held = model.ToHashSet(StringComparer.Ordinal);
            Assert.All(model, id => Assert.True(window.Contains(id), id));
            for (var i = 0; i < 3000; i += 7)
            {
                var id = "cdr-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(held.Contains(id), window.Contains(id));
            }

            Assert.False(window.Contains("absent"));
        }
    }
}
