using System.Text.Json;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>The account JSON written from the parts of the version before is byte for byte the serializer's, whatever changed.</summary>
public sealed class SqliteDocumentJsonTests
{
    private static byte[] Serializer(AccountState state) => JsonSerializer.SerializeToUtf8Bytes(state, StoredJson.Options);

    /// <summary>Every version that credit control, top-ups, expiry and ingestion write in the rich scenario, in order.</summary>
    private static async Task<List<AccountState>> VersionsAsync()
    {
        var recording = new RecordingAccountStore();
        var harness = SqliteStoreTests.Harness(new StoreSet(recording, new InMemorySessionIndex(), new InMemoryRateDeckStore(),
            new InMemoryUsageStore(), new InMemoryQuarantineStore(), new InMemoryTopUpStore(), new InMemoryAlertStore(), new InMemoryMonitorStore(), new InMemoryAccountStore()));
        await SqliteStoreTests.RunScenarioAsync(harness);
        return recording.Written;
    }

    [Fact]
    public async Task Each_version_written_from_the_one_before_is_exactly_what_the_serializer_writes()
    {
        var versions = await VersionsAsync();
        Assert.True(versions.Count > 15, $"only {versions.Count} versions");
        Assert.Contains(versions, v => v.Sessions.Count >= 3 && v.Totals.Count >= 2 && !v.AppliedCdrs.IsEmpty && !v.RecentTopUps.IsEmpty);

        JsonSnapshot? previous = null;
        foreach (var version in versions)
        {
            previous = SqliteDocumentJson.Write(version, previous);
            Assert.Equal(Serializer(version), previous.Bytes);
            Assert.Equal(Serializer(version), SqliteDocumentJson.Write(version, null).Bytes);
        }
    }

    [Fact]
    public async Task A_version_written_from_an_unrelated_document_is_still_exact()
    {
        var versions = await VersionsAsync();
        var other = SqliteDocumentJson.Write(AccountState.Open("other", Fixtures.Prepaid(), 1m, Fixtures.Now), null);
        var last = versions[^1];
        Assert.Equal(Serializer(last), SqliteDocumentJson.Write(last, other).Bytes);
        Assert.Equal(Serializer(versions[0]), SqliteDocumentJson.Write(versions[0], SqliteDocumentJson.Write(last, null)).Bytes); // backwards in time
    }

    [Fact]
    public async Task Parts_that_are_the_same_objects_are_copied_and_a_changed_session_alone_is_written_again()
    {
        var state = (await VersionsAsync()).Last(v => v.Sessions.Count >= 3);
        var before = SqliteDocumentJson.Write(state, null);
        var changed = state.Sessions.Values.First();
        var next = state with { Balance = state.Balance - 1m, Sessions = state.Sessions.SetItem(changed.SessionId, changed with { UsedSeconds = changed.UsedSeconds + 1 }) };

        var after = SqliteDocumentJson.Write(next, before);
        Assert.Equal(Serializer(next), after.Bytes);

        // Proof that an unchanged session's bytes are copied from the version before, not written again: a digit
        // altered in those bytes shows up in the next version.
        var kept = state.Sessions.Keys.First(id => id != changed.SessionId);
        var sessions = before.Root.Children!["sessions"];
        var region = sessions.Start + sessions.Children![kept].Start;
        var digit = Array.FindIndex(before.Bytes, region, b => b is >= (byte)'0' and <= (byte)'8');
        Assert.InRange(digit, region, region + sessions.Children[kept].Length - 1);
        var tampered = (byte[])before.Bytes.Clone();
        tampered[digit]++;
        var copied = SqliteDocumentJson.Write(next, new JsonSnapshot(tampered, before.Root)).Bytes;
        Assert.NotEqual(Serializer(next), copied);
        Assert.Equal(Serializer(next).Length, copied.Length);
        var changedAt = Enumerable.Range(0, copied.Length).Where(i => copied[i] != after.Bytes[i]).ToList();
        Assert.Single(changedAt);
        Assert.Equal(before.Bytes[digit] + 1, copied[changedAt[0]]);
    }

    /// <summary>The in-memory account store, keeping every version written.</summary>
    internal sealed class RecordingAccountStore : IAccountStore
    {
        private readonly InMemoryAccountStore _inner = new();

        public List<AccountState> Written { get; } = [];

        public Task<Versioned<AccountState>?> GetAsync(string accountId, CancellationToken cancellationToken) => _inner.GetAsync(accountId, cancellationToken);

        public Task<string?> TryCreateAsync(AccountState account, CancellationToken cancellationToken)
        {
            Written.Add(account);
            return _inner.TryCreateAsync(account, cancellationToken);
        }

        public Task<string?> TryReplaceAsync(AccountState account, string ifMatch, CancellationToken cancellationToken)
        {
            Written.Add(account);
            return _inner.TryReplaceAsync(account, ifMatch, cancellationToken);
        }

        public IAsyncEnumerable<string> FindExpiringAsync(DateTimeOffset instant, CancellationToken cancellationToken) => _inner.FindExpiringAsync(instant, cancellationToken);
    }
}
