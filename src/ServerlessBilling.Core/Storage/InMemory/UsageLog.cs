using System.Buffers.Binary;
using System.Text;
using ServerlessBilling.Core.Ingestion;

namespace ServerlessBilling.Core.Storage.InMemory;

/// <summary>
/// Usage records packed into byte chunks, oldest first, numbered by a sequence: about 60-90 bytes a record instead of
/// an object graph of several hundred. Ids and numbers are UTF-8, integers are varints, times are ticks, the text that
/// repeats (prefix, destination, disposition, currency, period) is a number into <see cref="TextTable"/>. Dropping the
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
    private byte[] _scratch = new byte[256];

    /// <summary>The sequence of the oldest record kept.</summary>
    public long Oldest { get; private set; }

    /// <summary>The sequence the next record gets.</summary>
    public long Next { get; private set; }

    public long Count => Next - Oldest;

    /// <summary>Appends <paramref name="record"/> under account number <paramref name="account"/>, linked to that account's previous record.</summary>
    public long Append(UsageRecord record, int account, long previous)
    {
        var seq = Next;
        var writer = new Writer(_scratch);
        writer.Varint((uint)account);
        writer.Text(record.CdrId);
        writer.Varint64(previous < 0 ? 0 : checked((ulong)(seq - previous)));
        writer.Text(record.SessionId);
        writer.Text(record.CalledNumber);
        writer.Fixed64(record.StartTime.Ticks);
        writer.Signed(record.StartTime.Offset.Ticks / TimeSpan.TicksPerMinute);
        writer.Signed(record.AppliedAt.Ticks - record.StartTime.Ticks);
        writer.Signed(record.AppliedAt.Offset.Ticks / TimeSpan.TicksPerMinute);
        writer.Signed(record.DurationSeconds);
        writer.Signed(record.BilledSeconds);
        writer.Decimal(record.Charge);
        writer.Shared(_texts, record.Disposition);
        writer.Shared(_texts, record.Prefix);
        writer.Shared(_texts, record.Destination);
        writer.Shared(_texts, record.Currency);
        writer.Shared(_texts, record.Period);
        writer.Varint((uint)record.SettledBy);
        writer.Text(record.Note);
        _scratch = writer.Buffer;

        var chunk = seq % PerChunk == 0 ? NewChunk() : ChunkOf(seq);
        chunk.Add(writer.Written, (int)(seq % PerChunk), last: seq % PerChunk == PerChunk - 1);
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
        var reader = ReaderOf(seq);
        reader.Varint();
        reader.Utf8();
        reader.Varint64();
        reader.Utf8();
        reader.Utf8();
        var ticks = reader.Fixed64();
        return new DateTimeOffset(ticks, TimeSpan.FromMinutes(reader.Signed()));
    }

    public UsageRecord Read(long seq, string accountId)
    {
        var reader = ReaderOf(seq);
        reader.Varint();
        var cdrId = reader.Text()!;
        reader.Varint64();
        var sessionId = reader.Text();
        var called = reader.Text()!;
        var startTicks = reader.Fixed64();
        var start = new DateTimeOffset(startTicks, TimeSpan.FromMinutes(reader.Signed()));
        var appliedTicks = startTicks + reader.Signed();
        var applied = new DateTimeOffset(appliedTicks, TimeSpan.FromMinutes(reader.Signed()));
        var duration = (int)reader.Signed();
        var billed = (int)reader.Signed();
        var charge = reader.Decimal();
        var disposition = reader.Shared(_texts);
        var prefix = reader.Shared(_texts);
        var destination = reader.Shared(_texts);
        var currency = reader.Shared(_texts);
        var period = reader.Shared(_texts);
        var settledBy = (Settlement)reader.Varint();
        var note = reader.Text();
        return new UsageRecord(cdrId, accountId, sessionId, called, start, duration, disposition, prefix, destination, billed, charge, currency, period, settledBy, note, applied);
    }

    private Reader ReaderOf(long seq)
    {
        if (seq < Oldest || seq >= Next)
        {
            throw new ArgumentOutOfRangeException(nameof(seq), seq, "not a record kept");
        }

        return ChunkOf(seq).ReaderAt((int)(seq % PerChunk));
    }

    private Chunk ChunkOf(long seq) => _ring[(int)((_ringHead + (seq / PerChunk) - _firstChunk) % _ring.Length)];

    private Chunk NewChunk()
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

        var chunk = new Chunk();
        _ring[(_ringHead + _ringCount) % _ring.Length] = chunk;
        _ringCount++;
        return chunk;
    }

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

    private sealed class Chunk
    {
        private readonly int[] _offsets = new int[PerChunk];
        private byte[] _bytes = new byte[4096];
        private int _used;

        public void Add(ReadOnlySpan<byte> record, int slot, bool last)
        {
            if (_used + record.Length > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + record.Length));
            }

            _offsets[slot] = _used;
            record.CopyTo(_bytes.AsSpan(_used));
            _used += record.Length;
            if (last && _used < _bytes.Length)
            {
                // A full chunk no longer grows: its spare room is given back.
                Array.Resize(ref _bytes, _used);
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

        public void Signed(long value) => Varint64(unchecked((ulong)((value << 1) ^ (value >> 63))));

        public void Fixed64(long value)
        {
            Room(8);
            BinaryPrimitives.WriteInt64LittleEndian(Buffer.AsSpan(_at), value);
            _at += 8;
        }

        public void Decimal(decimal value)
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(value, bits);
            Varint(unchecked((uint)bits[3]) >> 16);
            Varint(unchecked((uint)bits[0]));
            Varint(unchecked((uint)bits[1]));
            Varint(unchecked((uint)bits[2]));
        }

        /// <summary>Length + 1 (0 for null), then the UTF-8 bytes.</summary>
        public void Text(string? value)
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
            Varint((uint)length + 1);
            Buffer.AsSpan(start, length).CopyTo(Buffer.AsSpan(_at));
            _at += length;
        }

        /// <summary>Its number in the table + 1, or 0 and the text itself once the table is full.</summary>
        public void Shared(TextTable texts, string value)
        {
            if (texts.NumberOf(value) is { } number)
            {
                Varint((uint)number + 1);
            }
            else
            {
                Varint(0);
                Text(value);
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

        public long Signed()
        {
            var raw = Varint64();
            return unchecked((long)(raw >> 1) ^ -(long)(raw & 1));
        }

        public long Fixed64()
        {
            var value = BinaryPrimitives.ReadInt64LittleEndian(_bytes[_at..]);
            _at += 8;
            return value;
        }

        public decimal Decimal()
        {
            var flags = Varint();
            var lo = unchecked((int)Varint());
            var mid = unchecked((int)Varint());
            var hi = unchecked((int)Varint());
            return new decimal(lo, mid, hi, (flags & 0x8000) != 0, (byte)(flags & 0xFF));
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
            if (length == 0)
            {
                return null;
            }

            var text = Encoding.UTF8.GetString(_bytes.Slice(_at, length - 1));
            _at += length - 1;
            return text;
        }

        public string Shared(TextTable texts)
        {
            var number = (int)Varint();
            return number == 0 ? Text()! : texts[number - 1];
        }
    }
}

/// <summary>
/// One copy of each short text that repeats across usage records, by number. Its texts come from rate decks and
/// periods, so they are few; past <see cref="Capacity"/> a new text is no longer numbered (the record keeps it inline).
/// </summary>
internal sealed class TextTable
{
    private const int Capacity = 100_000;
    private readonly Dictionary<string, int> _numbers = new(StringComparer.Ordinal);
    private readonly List<string> _texts = [];

    public string this[int number] => _texts[number];

    public int? NumberOf(string text)
    {
        if (_numbers.TryGetValue(text, out var number))
        {
            return number;
        }

        if (_texts.Count >= Capacity)
        {
            return null;
        }

        _numbers[text] = _texts.Count;
        _texts.Add(text);
        return _texts.Count - 1;
    }
}
