using System.Runtime.CompilerServices;
using System.Text;
using ServerlessBilling.Core.Ingestion;

namespace ServerlessBilling.Core.Storage.InMemory;

/// <summary>
/// Usage records packed into byte chunks, oldest first, numbered by a sequence: about 40-60 bytes a record instead of
/// an object graph of several hundred. Ids are UTF-8, called numbers two digits a byte, integers are varints, times
/// are differences from the chunk's first record's (whole seconds as seconds), the texts that repeat together
/// (disposition, prefix, destination, currency, period) are one number into <see cref="TextTable"/>. Dropping the
/// oldest frees whole chunks. Not thread-safe: the store serializes access.
/// </summary>
internal sealed class UsageLog
{
    /// <summary>Records a chunk holds; small enough that a chunk's bytes stay off the large object heap.</summary>
    private const int PerChunk = 256;

    private readonly TextTable _texts = new();
    private Chunk[] _ring = new Chunk[16];
    private int _ringHead;
    private int _ringCount;
    private long _firstChunk;
    /// <summary>The first size of the open chunk's buffer, and the most it keeps between chunks.</summary>
    private const int OpenBytes = 32 * 1024, MaxOpenBytes = 64 * 1024;

    private byte[] _scratch = new byte[256];
    private byte[] _open = new byte[OpenBytes];

    /// <summary>The sequence of the oldest record kept.</summary>
    public long Oldest { get; private set; }

    /// <summary>The sequence the next record gets.</summary>
    public long Next { get; private set; }

    public long Count => Next - Oldest;

    /// <summary>The characters a dialled number is packed from, a nibble each.</summary>
    private const string Dialled = "0123456789+-*#. ";

    /// <summary>Appends <paramref name="record"/> under account number <paramref name="account"/>, linked to that account's previous record.</summary>
    public long Append(UsageRecord record, int account, long previous)
    {
        var seq = Next;
        var slot = (int)(seq % PerChunk);
        var chunk = slot == 0 ? NewChunk(record) : ChunkOf(seq);
        var writer = new Writer(_scratch);
        writer.Varint((uint)account);
        writer.Text(record.CdrId);
        writer.Varint64(previous < 0 ? 0 : checked((ulong)(seq - previous)));
        writer.Text(record.SessionId);
        writer.Digits(record.CalledNumber);
        writer.Time(record.StartTime.Ticks - chunk.BaseStart);
        writer.Signed(record.StartTime.Offset.Ticks / TimeSpan.TicksPerMinute);
        writer.Time(record.AppliedAt.Ticks - chunk.BaseApplied);
        writer.Signed(record.AppliedAt.Offset.Ticks / TimeSpan.TicksPerMinute);
        writer.Signed(record.DurationSeconds);
        writer.Signed(record.BilledSeconds);
        writer.Decimal(record.Charge);
        writer.Shared(_texts, record);
        writer.Varint((uint)record.SettledBy);
        writer.Text(record.Note);
        _scratch = writer.Buffer;

        chunk.Add(writer.Written, slot, ref _open, last: slot == PerChunk - 1);
        Next = seq + 1;
        return seq;
    }

    /// <summary>Forgets the oldest record (the caller has read what it needs of it first).</summary>
    public void DropOldest()
    {
        Oldest++;
        if (Oldest % PerChunk == 0 || Oldest == Next)
        {
            while (_ringCount > 0 && (_firstChunk + 1) * PerChunk <= Oldest)
            {
                _ring[_ringHead] = null!;
                _ringHead = (_ringHead + 1) % _ring.Length;
                _ringCount--;
                _firstChunk++;
            }
        }
    }

    /// <summary>The account number and the CDR id (UTF-8) of record <paramref name="seq"/>: its identity.</summary>
    public Key KeyOf(long seq)
    {
        var reader = ReaderOf(seq);
        var account = (int)reader.Varint();
        return new Key(account, reader.Utf8());
    }

    /// <summary>The previous record of the same account, or -1.</summary>
    public long PreviousOf(long seq)
    {
        var reader = ReaderOf(seq);
        reader.Varint();
        reader.Utf8();
        var delta = reader.Varint64();
        return delta == 0 ? -1 : seq - (long)delta;
    }

    public DateTimeOffset StartOf(long seq)
    {
        var reader = ReaderOf(seq, out var chunk);
        reader.Varint();
        reader.Utf8();
        reader.Varint64();
        reader.Utf8();
        reader.SkipDigits();
        var ticks = chunk.BaseStart + reader.Time();
        return new DateTimeOffset(ticks, TimeSpan.FromMinutes(reader.Signed()));
    }

    public UsageRecord Read(long seq, string accountId)
    {
        var reader = ReaderOf(seq, out var chunk);
        reader.Varint();
        var cdrId = reader.Text()!;
        reader.Varint64();
        var sessionId = reader.Text();
        var called = reader.Digits()!;
        var startTicks = chunk.BaseStart + reader.Time();
        var start = new DateTimeOffset(startTicks, TimeSpan.FromMinutes(reader.Signed()));
        var appliedTicks = chunk.BaseApplied + reader.Time();
        var applied = new DateTimeOffset(appliedTicks, TimeSpan.FromMinutes(reader.Signed()));
        var duration = (int)reader.Signed();
        var billed = (int)reader.Signed();
        var charge = reader.Decimal();
        var (disposition, prefix, destination, currency, period) = reader.Shared(_texts);
        var settledBy = (Settlement)reader.Varint();
        var note = reader.Text();
        return new UsageRecord(cdrId, accountId, sessionId, called, start, duration, disposition, prefix, destination, billed, charge, currency, period, settledBy, note, applied);
    }

    private Reader ReaderOf(long seq) => ReaderOf(seq, out _);

    private Reader ReaderOf(long seq, out Chunk chunk)
    {
        if (seq < Oldest || seq >= Next)
        {
            throw new ArgumentOutOfRangeException(nameof(seq), seq, "not a record kept");
        }

        chunk = ChunkOf(seq);
        return chunk.ReaderAt((int)(seq % PerChunk));
    }

    private Chunk ChunkOf(long seq) => _ring[(int)((_ringHead + (seq / PerChunk) - _firstChunk) % _ring.Length)];

    private Chunk NewChunk(UsageRecord first)
    {
        if (_ringCount == _ring.Length)
        {
            var grown = new Chunk[_ring.Length * 2];
            for (var i = 0; i < _ringCount; i++)
            {
                grown[i] = _ring[(_ringHead + i) % _ring.Length];
            }

            (_ring, _ringHead) = (grown, 0);
        }

        if (_ringCount == 0)
        {
            _firstChunk = Next / PerChunk;
        }

        // Times are kept as differences from the chunk's first record's: its records were recorded together.
        var chunk = new Chunk(first.StartTime.Ticks, first.AppliedAt.Ticks, _open);
        _ring[(_ringHead + _ringCount) % _ring.Length] = chunk;
        _ringCount++;
        return chunk;
    }

    private static ulong ZigZag(long value) => unchecked((ulong)((value << 1) ^ (value >> 63)));

    private static long ZigZag(ulong value) => unchecked((long)(value >> 1) ^ -(long)(value & 1));

    /// <summary>A record's identity: its account's number and its CDR id as UTF-8 (a view into the chunk or a scratch buffer).</summary>
    public readonly ref struct Key(int account, ReadOnlySpan<byte> cdrId)
    {
        public int Account { get; } = account;

        public ReadOnlySpan<byte> CdrId { get; } = cdrId;

        public bool SameAs(Key other) => Account == other.Account && CdrId.SequenceEqual(other.CdrId);

        public int Hash()
        {
            var hash = default(HashCode);
            hash.Add(Account);
            hash.AddBytes(CdrId);
            return hash.ToHashCode();
        }
    }

    /// <summary>
    /// <see cref="PerChunk"/> records and the times their own are told from. While it fills, its bytes are the log's
    /// open buffer (one, reused from chunk to chunk); once full, a copy of exactly their size: a chunk leaves no grown
    /// and dropped arrays behind it in the old generation.
    /// </summary>
    private sealed class Chunk(long baseStart, long baseApplied, byte[] open)
    {
        private readonly int[] _offsets = new int[PerChunk];
        private byte[] _bytes = open;
        private int _used;

        /// <summary>The start time (ticks) of the chunk's first record.</summary>
        public long BaseStart => baseStart;

        /// <summary>When the chunk's first record was applied (ticks).</summary>
        public long BaseApplied => baseApplied;

        public void Add(ReadOnlySpan<byte> record, int slot, ref byte[] open, bool last)
        {
            if (_used + record.Length > _bytes.Length)
            {
                var grown = new byte[Math.Max(_bytes.Length * 2, _used + record.Length)];
                _bytes.AsSpan(0, _used).CopyTo(grown);
                _bytes = open = grown;
            }

            _offsets[slot] = _used;
            record.CopyTo(_bytes.AsSpan(_used));
            _used += record.Length;
            if (last)
            {
                _bytes = _bytes.AsSpan(0, _used).ToArray();
                if (open.Length > MaxOpenBytes)
                {
                    // A chunk of very long records grew it: the next starts small again.
                    open = new byte[OpenBytes];
                }
            }
        }

        public Reader ReaderAt(int slot) => new(_bytes.AsSpan(_offsets[slot]));
    }

    private ref struct Writer(byte[] buffer)
    {
        private int _at;

        public byte[] Buffer { get; private set; } = buffer;

        public readonly ReadOnlySpan<byte> Written => Buffer.AsSpan(0, _at);

        public void Varint(uint value) => Varint64(value);

        public void Varint64(ulong value)
        {
            Room(10);
            while (value >= 0x80)
            {
                Buffer[_at++] = unchecked((byte)(value | 0x80));
                value >>= 7;
            }

            Buffer[_at++] = (byte)value;
        }

        public void Signed(long value) => Varint64(ZigZag(value));

        /// <summary>
        /// Sign, scale and whether the 96-bit integer fits 32 bits, in 7 bits; that integer above them when it fits (a
        /// charge in two or three bytes), else its three words after them.
        /// </summary>
        public void Decimal(decimal value)
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(value, bits);
            var head = ((ulong)((bits[3] >> 16) & 0xFF) << 2) | (bits[3] < 0 ? 2UL : 0);
            if (bits[1] == 0 && bits[2] == 0)
            {
                Varint64(((ulong)unchecked((uint)bits[0]) << 7) | head | 1);
                return;
            }

            Varint64(head);
            Varint(unchecked((uint)bits[0]));
            Varint(unchecked((uint)bits[1]));
            Varint(unchecked((uint)bits[2]));
        }

        /// <summary>A difference of ticks: whole seconds (most CDR times) as seconds, else as ticks; the low bit says which.</summary>
        public void Time(long ticks)
        {
            if (ticks % TimeSpan.TicksPerSecond == 0)
            {
                Varint64(ZigZag(ticks / TimeSpan.TicksPerSecond) << 1);
            }
            else
            {
                Varint64((ZigZag(ticks) << 1) | 1);
            }
        }

        /// <summary>
        /// A dialled number (<see cref="Dialled"/> characters only) two characters a byte after (count &lt;&lt; 1) | 1; any
        /// other text as UTF-8 after (length + 1) &lt;&lt; 1; 0 for null.
        /// </summary>
        public void Digits(string? value)
        {
            if (value is null || value.Length == 0 || !IsDialled(value))
            {
                Text(value, shift: 1);
                return;
            }

            Varint64(((ulong)value.Length << 1) | 1);
            Room((value.Length + 1) / 2);
            for (var i = 0; i < value.Length; i += 2)
            {
                var high = Dialled.IndexOf(value[i], StringComparison.Ordinal);
                var low = i + 1 < value.Length ? Dialled.IndexOf(value[i + 1], StringComparison.Ordinal) : 0;
                Buffer[_at++] = (byte)((high << 4) | low);
            }
        }

        private static bool IsDialled(string value)
        {
            foreach (var c in value)
            {
                if (!Dialled.Contains(c, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Length + 1 (0 for null), shifted left by <paramref name="shift"/>, then the UTF-8 bytes.</summary>
        public void Text(string? value, int shift = 0)
        {
            if (value is null)
            {
                Varint(0);
                return;
            }

            // Encoded past the room of its length prefix, then moved up behind it: the room reserved covers both.
            var max = Encoding.UTF8.GetMaxByteCount(value.Length);
            Room(max + 10);
            var start = _at + 5;
            var length = Encoding.UTF8.GetBytes(value, Buffer.AsSpan(start));
            Varint64(((ulong)length + 1) << shift);
            Buffer.AsSpan(start, length).CopyTo(Buffer.AsSpan(_at));
            _at += length;
        }

        /// <summary>
        /// The record's disposition, prefix, destination, currency and period, which repeat together: their number in
        /// the table + 1, or 0 and the five texts once the table is full.
        /// </summary>
        public void Shared(TextTable texts, UsageRecord record)
        {
            var shared = (record.Disposition, record.Prefix, record.Destination, record.Currency, record.Period);
            if (texts.NumberOf(shared) is { } number)
            {
                Varint((uint)number + 1);
            }
            else
            {
                Varint(0);
                Text(shared.Disposition);
                Text(shared.Prefix);
                Text(shared.Destination);
                Text(shared.Currency);
                Text(shared.Period);
            }
        }

        private void Room(int bytes)
        {
            if (_at + bytes > Buffer.Length)
            {
                var grown = new byte[Math.Max(Buffer.Length * 2, _at + bytes)];
                Buffer.AsSpan(0, _at).CopyTo(grown);
                Buffer = grown;
            }
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _at;

        public ulong Varint64() => PackedJson.ReadVarint(_bytes, ref _at);

        public uint Varint() => (uint)Varint64();

        public long Signed() => ZigZag(Varint64());

        public decimal Decimal()
        {
            var head = Varint64();
            var negative = (head & 2) != 0;
            var scale = (byte)((head >> 2) & 0x1F);
            if ((head & 1) != 0)
            {
                return new decimal(unchecked((int)(uint)(head >> 7)), 0, 0, negative, scale);
            }

            var lo = unchecked((int)Varint());
            var mid = unchecked((int)Varint());
            var hi = unchecked((int)Varint());
            return new decimal(lo, mid, hi, negative, scale);
        }

        public long Time()
        {
            var raw = Varint64();
            var value = ZigZag(raw >> 1);
            return (raw & 1) == 0 ? value * TimeSpan.TicksPerSecond : value;
        }

        public string? Digits()
        {
            var head = Varint64();
            if ((head & 1) == 0)
            {
                return head == 0 ? null : Utf8String((int)(head >> 1) - 1);
            }

            var count = (int)(head >> 1);
            var packed = _bytes.Slice(_at, (count + 1) / 2);
            _at += packed.Length;
            var chars = count <= 64 ? stackalloc char[count] : new char[count];
            for (var i = 0; i < count; i++)
            {
                var b = packed[i / 2];
                chars[i] = Dialled[i % 2 == 0 ? b >> 4 : b & 15];
            }

            return new string(chars);
        }

        public void SkipDigits()
        {
            var head = Varint64();
            _at += (head & 1) == 0 ? (head == 0 ? 0 : (int)(head >> 1) - 1) : ((int)(head >> 1) + 1) / 2;
        }

        public ReadOnlySpan<byte> Utf8()
        {
            var length = (int)Varint();
            if (length == 0)
            {
                return default;
            }

            var text = _bytes.Slice(_at, length - 1);
            _at += length - 1;
            return text;
        }

        public string? Text()
        {
            var length = (int)Varint();
            return length == 0 ? null : Utf8String(length - 1);
        }

        private string Utf8String(int length)
        {
            var text = Encoding.UTF8.GetString(_bytes.Slice(_at, length));
            _at += length;
            return text;
        }

        public (string Disposition, string Prefix, string Destination, string Currency, string Period) Shared(TextTable texts)
        {
            var number = (int)Varint();
            return number == 0 ? (Text()!, Text()!, Text()!, Text()!, Text()!) : texts[number - 1];
        }
    }
}

/// <summary>
/// One copy of each combination of the texts that repeat across usage records (disposition, prefix, destination,
/// currency, period), by number. They come from rate decks and periods, so they are few; past <see cref="Capacity"/> a
/// new combination is no longer numbered (the record keeps its texts inline).
/// </summary>
internal sealed class TextTable
{
    private const int Capacity = 100_000;

    /// <summary>Slots of the front by reference (a power of two).</summary>
    private const int RecentSlots = 1024;

    private readonly Dictionary<(string, string, string, string, string), int> _numbers = [];
    private readonly List<(string Disposition, string Prefix, string Destination, string Currency, string Period)> _texts = [];

    // A front of the table by reference: a batch's records carry the same string objects again and again (the deck's
    // rows, the account's currency and period label, the disposition's wire name), so most look-ups end at one slot whose
    // five references are the record's, without hashing and comparing five strings. A miss goes to the dictionary.
    private readonly Recent[] _recent = new Recent[RecentSlots];

    public (string Disposition, string Prefix, string Destination, string Currency, string Period) this[int number] => _texts[number];

    public int? NumberOf((string, string, string, string, string) texts)
    {
        ref var recent = ref _recent[Slot(texts)];
        if (recent.NumberPlusOne > 0 && recent.Holds(texts))
        {
            return recent.NumberPlusOne - 1;
        }

        if (!_numbers.TryGetValue(texts, out var number))
        {
            if (_texts.Count >= Capacity)
            {
                return null;
            }

            number = _texts.Count;
            _numbers[texts] = number;
            _texts.Add(texts);
        }

        recent = new Recent(texts, number + 1);
        return number;
    }

    private static int Slot((string, string, string, string, string) texts) =>
        unchecked((RuntimeHelpers.GetHashCode(texts.Item2) * 31) + RuntimeHelpers.GetHashCode(texts.Item5)) & (RecentSlots - 1);

    private readonly struct Recent((string, string, string, string, string) texts, int numberPlusOne)
    {
        private readonly string _disposition = texts.Item1;
        private readonly string _prefix = texts.Item2;
        private readonly string _destination = texts.Item3;
        private readonly string _currency = texts.Item4;
        private readonly string _period = texts.Item5;

        /// <summary>The number of the texts + 1; 0 in an empty slot.</summary>
        public int NumberPlusOne { get; } = numberPlusOne;

        public bool Holds((string, string, string, string, string) texts) =>
            ReferenceEquals(_prefix, texts.Item2) && ReferenceEquals(_period, texts.Item5) && ReferenceEquals(_destination, texts.Item3)
            && ReferenceEquals(_currency, texts.Item4) && ReferenceEquals(_disposition, texts.Item1);
    }
}
