namespace ServerlessBilling.Core.Storage.InMemory;

/// <summary>
/// The usage log's records by identity (account number and CDR id): an open-addressing table of 8-byte slots, each a
/// record's sequence (its low 32 bits: the records kept span fewer) and 31 bits of its identity's hash, at most three
/// quarters full. About 8-16 bytes a record, against 20-40 for a HashSet of sequences (entries, buckets and the
/// capacity it grows to). Linear probing; a removal moves the slots after it back, so that there are no tombstones.
/// Not thread-safe: the store serializes access.
/// </summary>
internal sealed class UsageIds(UsageLog log)
{
    private const ulong Occupied = 1UL << 63;
    private ulong[] _slots = new ulong[1024];
    private int _count;

    /// <summary>The sequence of the record whose identity is <paramref name="key"/> (of hash <paramref name="hash"/>), if kept.</summary>
    public long? Find(UsageLog.Key key, int hash)
    {
        var mask = _slots.Length - 1;
        var tag = Tag(hash);
        for (var i = Home(tag, mask); ; i = (i + 1) & mask)
        {
            var slot = _slots[i];
            if (slot == 0)
            {
                return null;
            }

            if ((slot & ~Occupied) >> 32 == tag && log.KeyOf(SequenceOf(slot)).SameAs(key))
            {
                return SequenceOf(slot);
            }
        }
    }

    /// <summary>Adds record <paramref name="seq"/>, whose identity's hash is <paramref name="hash"/> (not there yet).</summary>
    public void Add(long seq, int hash)
    {
        if ((_count + 1) * 4L > _slots.Length * 3L)
        {
            Grow();
        }

        Put(_slots, Occupied | ((ulong)Tag(hash) << 32) | unchecked((uint)seq));
        _count++;
    }

    /// <summary>Removes record <paramref name="seq"/> (still in the log), whose identity's hash is <paramref name="hash"/>.</summary>
    public void Remove(long seq, int hash)
    {
        var mask = _slots.Length - 1;
        var i = Home(Tag(hash), mask);
        while (_slots[i] == 0 || SequenceOf(_slots[i]) != seq)
        {
            if (_slots[i] == 0)
            {
                return;
            }

            i = (i + 1) & mask;
        }

        // Backward shift: each later slot of the run moves into the hole unless its home lies between the hole and it.
        var hole = i;
        for (var j = (hole + 1) & mask; _slots[j] != 0; j = (j + 1) & mask)
        {
            var home = Home(TagOf(_slots[j]), mask);
            var stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
            if (!stays)
            {
                _slots[hole] = _slots[j];
                hole = j;
            }
        }

        _slots[hole] = 0;
        _count--;
    }

    private static uint Tag(int hash) => unchecked((uint)hash) & 0x7FFF_FFFF;

    private static uint TagOf(ulong slot) => (uint)((slot & ~Occupied) >> 32);

    private static int Home(uint tag, int mask) => (int)(unchecked(tag * 0x9E37_79B9_7F4A_7C15UL) >> 33) & mask;

    /// <summary>The full sequence of a slot: the records kept are fewer than 2^32, so the low 32 bits tell them apart.</summary>
    private long SequenceOf(ulong slot) => log.Oldest + unchecked((uint)slot - (uint)log.Oldest);

    private void Grow()
    {
        var grown = new ulong[_slots.Length * 2];
        foreach (var slot in _slots)
        {
            if (slot != 0)
            {
                Put(grown, slot);
            }
        }

        _slots = grown;
    }

    private static void Put(ulong[] slots, ulong slot)
    {
        var mask = slots.Length - 1;
        var i = Home(TagOf(slot), mask);
        while (slots[i] != 0)
        {
            i = (i + 1) & mask;
        }

        slots[i] = slot;
    }
}
