using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using ServerlessBilling.Core.Accounts;

namespace ServerlessBilling.Core.Storage.InMemory;

/// <summary>
/// The embedded account store: the same ETag semantics as Cosmos DB, in process. The most recently used documents
/// (<see cref="MemoryStoreOptions.ParsedAccounts"/>) are kept as objects, read and replaced as they are; the others
/// are kept packed (<see cref="PackedAccount"/>: their stored JSON, about a third of its size) and parsed again when
/// read, so that many accounts cost little memory and the accounts in use cost no parsing.
/// </summary>
public sealed class InMemoryAccountStore : IAccountStore, IAccountDirectory
{
    private readonly ConcurrentDictionary<string, Slot> _accounts = new(StringComparer.Ordinal);
    private readonly ParsedClock<Slot> _parsed;
    private readonly PackedAccount _packer = new();
    private long _version;

    public InMemoryAccountStore()
        : this(new MemoryStoreOptions())
    {
    }

    public InMemoryAccountStore(MemoryStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _parsed = new ParsedClock<Slot>(options.ParsedAccounts, Leaves);
    }

    /// <summary>How many documents are kept as objects now (at most <see cref="MemoryStoreOptions.ParsedAccounts"/>, give or take the writers in flight).</summary>
    public int ParsedCount => _parsed.Count;

    public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) =>
        Task.FromResult(Get(accountId));

    /// <summary>As <see cref="GetAsync"/>, leaving what is kept parsed as it is: a packed document is parsed for this read only.</summary>
    public Task<Versioned<AccountState>?> PeekAsync(string accountId, CancellationToken cancellationToken) =>
        Task.FromResult(_accounts.TryGetValue(accountId, out var slot) ? Peek(slot) : null);

    /// <summary>As <see cref="GetAsync"/>, with no task: the store answers at once.</summary>
    public ValueTask<Versioned<AccountState>?> ReadForWriteAsync(string accountId, CancellationToken cancellationToken) => new(Get(accountId));

    public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken)
    {
        var created = new Versioned<AccountState>(account, NextETag());
        var slot = new Slot(created);
        if (!_accounts.TryAdd(account.AccountId, slot))
        {
            return Task.FromResult<string?>(null);
        }

        Parsed(slot);
        return Task.FromResult<string?>(created.ETag);
    }

    public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken) =>
        Task.FromResult(TryReplace(account, ifMatch));

    /// <summary>As <see cref="TryReplaceAsync"/>, with no task: the store answers at once.</summary>
    public ValueTask<string?> TryReplaceNowAsync(AccountState account, string ifMatch, CancellationToken cancellationToken) => new(TryReplace(account, ifMatch));

    private Versioned<AccountState>? Get(string accountId) => _accounts.TryGetValue(accountId, out var slot) ? Read(slot) : null;

    private string? TryReplace(AccountState account, string ifMatch)
    {
        if (!_accounts.TryGetValue(account.AccountId, out var slot))
        {
            return null;
        }

        while (true)
        {
            var current = Volatile.Read(ref slot.State);
            if (!HasETag(current, ifMatch))
            {
                return null;
            }

            var replacement = new Versioned<AccountState>(account, NextETag());
            if (ReferenceEquals(Interlocked.CompareExchange(ref slot.State, replacement, current), current))
            {
                if (current is byte[])
                {
                    Parsed(slot);
                }
                else
                {
                    slot.Used = true;
                }

                return replacement.ETag;
            }

            // Another writer, or the same version packed or parsed meanwhile: look again (a version is never reused).
        }
    }

    public async IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        foreach (var (id, slot) in _accounts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = Volatile.Read(ref slot.State) switch
            {
                Versioned<AccountState> parsed => parsed.Value.NextExpiry?.UtcTicks,
                var packed => PackedAccount.NextExpiryUtcTicks((byte[])packed),
            };
            if (next is { } ticks && ticks <= instant.UtcTicks)
            {
                yield return id;
            }
        }
    }

    public async IAsyncEnumerable<string> ListAccountIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        foreach (var id in _accounts.Keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return id;
        }
    }

    public Task<IReadOnlyList<AccountState>> ListPageAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        IReadOnlyList<AccountState> page = _accounts
            .Where(a => after is null || string.CompareOrdinal(a.Key, after) > 0)
            .OrderBy(a => a.Key, StringComparer.Ordinal)
            .Take(limit)
            .Select(a => Peek(a.Value).Value)
            .ToList();
        return Task.FromResult(page);
    }

    /// <summary>Every document, packed ones parsed one at a time (and not kept).</summary>
    public IEnumerable<AccountState> All => _accounts.Values.Select(slot => Peek(slot).Value);

    /// <summary>The slot's document, parsed again if packed, and then kept parsed (a most recently used one).</summary>
    private Versioned<AccountState> Read(Slot slot)
    {
        var current = Volatile.Read(ref slot.State);
        if (current is Versioned<AccountState> parsed)
        {
            if (!slot.Used)
            {
                slot.Used = true;
            }

            return parsed;
        }

        var unpacked = Unpack((byte[])current);
        if (ReferenceEquals(Interlocked.CompareExchange(ref slot.State, unpacked, current), current))
        {
            Parsed(slot);
        }

        // When another thread wrote meanwhile, this is the version read before its write: what a read just before it gives.
        return unpacked;
    }

    /// <summary>The slot's document without changing what is kept parsed (listings: every account once).</summary>
    private Versioned<AccountState> Peek(Slot slot) => Volatile.Read(ref slot.State) switch
    {
        Versioned<AccountState> parsed => parsed,
        var packed => Unpack((byte[])packed),
    };

    private Versioned<AccountState> Unpack(byte[] packed)
    {
        var (account, version) = _packer.Unpack(packed);
        return new Versioned<AccountState>(account, ETagOf(version));
    }

    /// <summary>The slot has just become parsed: it joins the clock, and the least recently used beyond the capacity are packed.</summary>
    private void Parsed(Slot slot)
    {
        slot.Used = false;
        _parsed.Join(slot);
    }

    /// <summary>
    /// The clock offers the slot to be packed: kept parsed one more round when used since the clock last passed, or
    /// written meanwhile (still parsed, and just used).
    /// </summary>
    private bool Leaves(Slot slot)
    {
        if (slot.Used)
        {
            slot.Used = false;
            return false;
        }

        var current = Volatile.Read(ref slot.State);
        if (current is not Versioned<AccountState> parsed)
        {
            return true;
        }

        var packed = _packer.Pack(parsed.Value, VersionOf(parsed.ETag));
        return ReferenceEquals(Interlocked.CompareExchange(ref slot.State, packed, current), current);
    }

    private static bool HasETag(object state, string eTag) => state switch
    {
        Versioned<AccountState> parsed => parsed.ETag == eTag,
        var packed => ETagOf(PackedAccount.Version((byte[])packed)) == eTag,
    };

    private static long VersionOf(string eTag) => long.Parse(eTag.AsSpan(1, eTag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>The version in quotes, as Cosmos DB writes an ETag: one string, with no string of the number first.</summary>
    private static string ETagOf(long version) => string.Create(CultureInfo.InvariantCulture, $"\"{version}\"");

    private string NextETag() => ETagOf(Interlocked.Increment(ref _version));

    /// <summary>One account: its current version, parsed (<see cref="Versioned{T}"/>) or packed (byte[]); swapped whole, by compare-and-swap.</summary>
    private sealed class Slot(object state)
    {
        public object State = state;

        /// <summary>Read or written since the clock last passed: kept parsed one more round.</summary>
        public volatile bool Used;
    }
}
