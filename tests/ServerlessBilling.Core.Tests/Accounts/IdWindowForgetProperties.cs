using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessBilling.Core.Accounts;

namespace ServerlessBilling.Core.Tests.Accounts;

/// <summary>
/// <see cref="IdWindow{T}.Forget"/>, which keeps the oldest ids whose usage records are missing, against a plain list:
/// the oldest beyond the capacity go unless kept, the kept ones stay oldest first, the ceiling holds, and forgetting
/// after each group of adds gives the window of forgetting once after all of them (ingestion builds the document
/// around sessions that close mid-group, and its reference path adds one id at a time).
/// </summary>
public sealed class IdWindowForgetProperties
{
    private static List<string> Model(IEnumerable<string> items, int capacity, IReadOnlySet<string> keep, int ceiling)
    {
        var list = items.ToList();
        if (list.Count <= capacity)
        {
            return list;
        }

        var over = list.Count - capacity;
        var result = list.Take(over).Where(keep.Contains).Concat(list.Skip(over)).ToList();
        return result.Count > ceiling ? result.Skip(result.Count - ceiling).ToList() : result;
    }

    [Property(MaxTest = 300)]
    public Property Forget_keeps_what_it_is_told_and_otherwise_trims_from_the_front(PositiveInt size, PositiveInt capacitySeed, int[] kept, PositiveInt ceilingSeed)
    {
        var capacity = 1 + (capacitySeed.Get % 40);
        var ceiling = capacity + (ceilingSeed.Get % 30);
        var items = Enumerable.Range(0, size.Get % 120).Select(i => "c-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var keep = (kept ?? []).Select(k => "c-" + ((k & int.MaxValue) % 130).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);

        var window = IdWindow<string>.Empty.AddRange(items, int.MaxValue).Forget(capacity, keep, ceiling);
        var model = Model(items, capacity, keep, ceiling);

        return (window.Items.SequenceEqual(model) && window.Count == model.Count && model.All(window.Contains)
                && items.Except(model).All(id => !window.Contains(id)))
            .Label($"{items.Count} ids, capacity {capacity}, ceiling {ceiling}, {keep.Count} kept: [{string.Join(",", window.Items)}] vs [{string.Join(",", model)}]");
    }

    [Property(MaxTest = 300)]
    public Property Forgetting_after_each_group_is_forgetting_once_at_the_end(PositiveInt start, int[] groups, int[] kept)
    {
        const int capacity = 10;
        var before = Enumerable.Range(0, start.Get % 25).Select(i => "old-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var keep = (kept ?? []).Select(k => "old-" + ((k & int.MaxValue) % 30).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
        var window = AccountStateWindow(IdWindow<string>.Empty, before, keep, capacity);
        var stepped = window;
        var added = new List<string>();
        foreach (var (group, g) in (groups ?? []).Select((n, g) => ((n & int.MaxValue) % 6, g)))
        {
            var ids = Enumerable.Range(0, group).Select(i => $"new-{g}-{i}").ToList();
            added.AddRange(ids);
            stepped = AccountStateWindow(stepped, ids, keep, capacity);
        }

        var once = AccountStateWindow(window, added, keep, capacity);
        return stepped.Items.SequenceEqual(once.Items)
            .Label($"stepped [{string.Join(",", stepped.Items)}] vs once [{string.Join(",", once.Items)}]");
    }

    private static IdWindow<string> AccountStateWindow(IdWindow<string> window, List<string> ids, IReadOnlySet<string> keep, int capacity) =>
        window.AddRange(ids, int.MaxValue).Forget(capacity, keep, int.MaxValue);

    [Fact]
    public void The_applied_set_keeps_an_old_id_without_a_record_and_forgets_it_once_its_record_exists()
    {
        var account = AccountState.Open("acme", ServerlessBilling.Testing.Fixtures.Prepaid(), 0m, ServerlessBilling.Testing.Fixtures.Now);
        var ids = Enumerable.Range(0, AccountState.AppliedCdrCapacity).Select(i => $"c-{i:D5}").ToList();
        var window = AccountState.AppliedAfter(account.AppliedWindow, ids, null);

        // Ten more: the ten oldest may go; c-00003 has no usage record yet, so it stays, oldest first.
        var mayGo = ids.Take(10).ToList();
        var more = Enumerable.Range(0, 10).Select(i => $"d-{i}").ToList();
        var kept = AccountState.AppliedAfter(window, more, new HashSet<string>(["c-00003"], StringComparer.Ordinal));
        Assert.Equal(AccountState.AppliedCdrCapacity + 1, kept.Count);
        Assert.Equal("c-00003", kept.Items[0]);
        Assert.True(kept.Contains("c-00003"));
        Assert.All(mayGo.Where(id => id != "c-00003"), id => Assert.False(kept.Contains(id)));

        // Its record written, the next write forgets it with the other oldest one.
        var later = AccountState.AppliedAfter(kept, ["e-0"], null);
        Assert.Equal(AccountState.AppliedCdrCapacity, later.Count);
        Assert.False(later.Contains("c-00003"));
        Assert.True(later.Contains("e-0"));
    }

    [Fact]
    public void Ids_without_records_are_held_up_to_the_ceiling_and_no_further()
    {
        var ids = Enumerable.Range(0, AccountState.AppliedCdrCeiling + 500).Select(i => $"c-{i:D6}").ToList();
        var none = ids.ToHashSet(StringComparer.Ordinal);
        var window = AccountState.AppliedAfter(IdWindow<string>.Empty, ids, none);
        Assert.Equal(AccountState.AppliedCdrCeiling, window.Count);
        Assert.Equal($"c-{500:D6}", window.Items[0]);
    }

    [Fact]
    public void The_ids_that_may_go_are_the_oldest_the_adds_push_beyond_the_capacity()
    {
        var account = AccountState.Open("acme", ServerlessBilling.Testing.Fixtures.Prepaid(), 0m, ServerlessBilling.Testing.Fixtures.Now);
        Assert.Empty(account.AppliedIdsThatMayGo(AccountState.AppliedCdrCapacity));
        for (var i = 0; i < AccountState.AppliedCdrCapacity - 5; i++)
        {
            account = account.RememberApplied($"c-{i}");
        }

        Assert.Empty(account.AppliedIdsThatMayGo(5));
        Assert.Equal(["c-0", "c-1", "c-2"], account.AppliedIdsThatMayGo(8));
        Assert.Equal(AccountState.AppliedCdrCapacity - 5, account.AppliedIdsThatMayGo(5_000).Count);
    }
}
