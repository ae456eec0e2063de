using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using ServerlessBilling.Core.Monitoring;

namespace ServerlessBilling.Core.Storage.InMemory;

public sealed class InMemoryAlertStore : IAlertStore
{
    private readonly ConcurrentDictionary<string, Alert> _alerts = new(StringComparer.Ordinal);

    public Task<bool> TryCreateAsync(Alert alert, CancellationToken cancellationToken) => Task.FromResult(_alerts.TryAdd(alert.AlertId, alert));

    public Task<Alert?> FindAsync(string accountId, string alertId, CancellationToken cancellationToken) =>
        Task.FromResult(_alerts.TryGetValue(alertId, out var alert) && alert.AccountId == accountId ? alert : null);

    public Task<IReadOnlyList<Alert>> ListAsync(string? accountId, int limit, CancellationToken cancellationToken) =>
        ListAsync(accountId, limit, after: null, cancellationToken);

    public Task<IReadOnlyList<Alert>> ListAsync(string? accountId, int limit, ListCursor? after, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Alert>>(ListPage.Of(_alerts.Values.Where(a => accountId is null || a.AccountId == accountId), ListCursor.After, ListOrder.NewestFirst, after, limit));
}

/// <summary>
/// Monitoring's documents, one per account judged. Those of the accounts judged most recently
/// (<see cref="MemoryStoreOptions.ParsedAccounts"/>, as for the account documents) are kept as objects and handed out
/// as they are: a document is immutable once stored (its raised ids are copied into an immutable list unless they are
/// one already). The others are kept packed (<see cref="PackedJson"/>, about 70 bytes instead of about 300 as objects)
/// and parsed again when next read, so every account costs its bytes and the accounts in use cost no JSON.
/// </summary>
public sealed class InMemoryMonitorStore : IMonitorStore
{
    // Each account's current version: a Parsed, or its packed bytes (the version as a varint, then the packed JSON).
    // Swapped whole: TryUpdate compares the values by reference.
    private readonly ConcurrentDictionary<string, object> _states = new(StringComparer.Ordinal);

    // The ids of the parsed documents, in the order they became parsed: the clock that packs the least recently used.
    private readonly ParsedClock<string> _parsed;
    private readonly PackedJson _json = new();

    public InMemoryMonitorStore()
        : this(new MemoryStoreOptions())
    {
    }

    public InMemoryMonitorStore(MemoryStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _parsed = new ParsedClock<string>(options.ParsedAccounts, Leaves);
    }

    /// <summary>How many documents are kept as objects now (at most <see cref="MemoryStoreOptions.ParsedAccounts"/>, give or take the callers in flight).</summary>
    public int ParsedCount => _parsed.Count;

    public Task<Versioned<MonitorState>?> GetAsync(string accountId, CancellationToken cancellationToken)
    {
        if (!_states.TryGetValue(accountId, out var current))
        {
            return Task.FromResult<Versioned<MonitorState>?>(null);
        }

        if (current is Parsed parsed)
        {
            if (!parsed.Used)
            {
                parsed.Used = true;
            }

            return parsed.Read;
        }

        var unpacked = Unpack((byte[])current);
        if (_states.TryUpdate(accountId, unpacked, current))
        {
            _parsed.Join(accountId);
        }

        // When another caller wrote meanwhile, this is the version read before its write: what a read just before it gives.
        return unpacked.Read;
    }

    public Task<string?> TryCreateAsync(MonitorState state, CancellationToken cancellationToken)
    {
        var created = new Parsed(Frozen(state), 1);
        if (!_states.TryAdd(state.AccountId, created))
        {
            return Task.FromResult<string?>(null);
        }

        _parsed.Join(state.AccountId);
        return Task.FromResult<string?>(created.ETag);
    }

    public Task<string?> TryReplaceAsync(MonitorState state, string ifMatch, CancellationToken cancellationToken)
    {
        Parsed? next = null;
        while (_states.TryGetValue(state.AccountId, out var current))
        {
            var (version, eTag) = current is Parsed parsed ? (parsed.Version, parsed.ETag) : VersionOf((byte[])current);
            if (eTag != ifMatch)
            {
                break;
            }

            // Just written: it stays parsed one more round of the clock.
            next ??= new Parsed(Frozen(state), version + 1) { Used = true };
            if (_states.TryUpdate(state.AccountId, next, current))
            {
                if (current is byte[])
                {
                    _parsed.Join(state.AccountId);
                }

                return Task.FromResult<string?>(next.ETag);
            }

            // Another writer, or the same version packed or parsed meanwhile: look again (a version is never reused).
        }

        return Task.FromResult<string?>(null);
    }

    /// <summary>The document as stored: its raised ids in an immutable list, so that what is handed out is shared with no one who can change it.</summary>
    private static MonitorState Frozen(MonitorState state) =>
        state.Raised is ImmutableArray<string> ? state : state with { Raised = ImmutableArray.CreateRange(state.Raised) };

    private Parsed Unpack(byte[] packed)
    {
        var at = 0;
        var version = (long)PackedJson.ReadVarint(packed, ref at);
        return new Parsed(Frozen(_json.UnpackDocument<MonitorState>(packed.AsSpan(at))), version);
    }

    private static (long Version, string ETag) VersionOf(byte[] packed)
    {
        var at = 0;
        var version = (long)PackedJson.ReadVarint(packed, ref at);
        return (version, Tag(version));
    }

    /// <summary>
    /// Whether the clock's oldest parsed document leaves the parsed ones: packed unless it was used since the clock last
    /// passed or written meanwhile. An id is in the clock once while its document is parsed (a document is packed only
    /// here, once its id is taken out).
    /// </summary>
    private bool Leaves(string accountId)
    {
        if (!_states.TryGetValue(accountId, out var current) || current is not Parsed parsed)
        {
            return true;
        }

        if (parsed.Used)
        {
            parsed.Used = false;
            return false;
        }

        return _states.TryUpdate(accountId, _json.PackDocument(parsed.Value, (ulong)parsed.Version), parsed);
    }

    private static string Tag(long version) => version.ToString(CultureInfo.InvariantCulture);

    /// <summary>A document kept as an object, with its version and the completed read that hands it out.</summary>
    private sealed class Parsed
    {
        public Parsed(MonitorState value, long version)
        {
            (Value, Version, ETag) = (value, version, Tag(version));
            Read = Task.FromResult<Versioned<MonitorState>?>(new Versioned<MonitorState>(value, ETag));
        }

        public MonitorState Value { get; }

        public long Version { get; }

        public string ETag { get; }

        public Task<Versioned<MonitorState>?> Read { get; }

        /// <summary>Read or written since the clock last passed: kept parsed one more round.</summary>
        public volatile bool Used;
    }
}
