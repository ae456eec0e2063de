using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>What makes a step cheaper on the file keeps it exact: scalars of the head written straight, rows updated in place, monitoring's documents known in memory.</summary>
public sealed class SqliteStepCostTests : IDisposable
{
    private readonly TempStore _store = new();

    public void Dispose() => _store.Dispose();

    [Theory]
    [InlineData(typeof(decimal), "Decimal")]
    [InlineData(typeof(decimal?), "Decimal")]
    [InlineData(typeof(DateTimeOffset), "DateTimeOffset")]
    [InlineData(typeof(DateTimeOffset?), "DateTimeOffset")]
    [InlineData(typeof(long), "Int64")]
    [InlineData(typeof(int), "Int32")]
    [InlineData(typeof(bool), "Boolean")]
    [InlineData(typeof(string), "String")]
    [InlineData(typeof(AccountStatus), "None")] // an enum: the options' string converter writes it
    [InlineData(typeof(double), "None")]
    public void The_stored_json_options_give_the_scalars_of_a_head_their_built_in_converters(Type type, string kind) =>
        Assert.Equal(kind, SqliteScalars.Of(StoredJson.Options.GetTypeInfo(type), StoredJson.Options).ToString());

    [Fact]
    public void A_scalar_with_a_converter_of_its_own_is_left_to_the_serializer()
    {
        var options = new JsonSerializerOptions(StoredJson.Options);
        options.Converters.Add(new TextDecimal());
        options.MakeReadOnly(populateMissingResolver: true);
        Assert.Equal(SqliteScalars.Kind.None, SqliteScalars.Of(options.GetTypeInfo(typeof(decimal)), options));
        Assert.Equal(SqliteScalars.Kind.None, SqliteScalars.Of(options.GetTypeInfo(typeof(decimal?)), options));
        var numbersAsText = new JsonSerializerOptions(StoredJson.Options) { NumberHandling = JsonNumberHandling.WriteAsString };
        numbersAsText.MakeReadOnly(populateMissingResolver: true);
        Assert.Equal(SqliteScalars.Kind.None, SqliteScalars.Of(numbersAsText.GetTypeInfo(typeof(long)), numbersAsText));
    }

    [Fact]
    public void A_second_instance_of_a_built_in_converter_is_still_the_built_in_one()
    {
        // The serializer makes its built-in converters lazily without a lock: two threads that read one first at once can
        // each get an instance of their own, so the options' converter need not be the very instance the metadata gives.
        var options = new JsonSerializerOptions(StoredJson.Options);
        foreach (var builtIn in new JsonConverter[] { JsonMetadataServices.DecimalConverter, JsonMetadataServices.Int64Converter, JsonMetadataServices.BooleanConverter })
        {
            options.Converters.Add((JsonConverter)Activator.CreateInstance(builtIn.GetType(), nonPublic: true)!);
        }

        options.MakeReadOnly(populateMissingResolver: true);
        Assert.NotSame(JsonMetadataServices.DecimalConverter, options.GetTypeInfo(typeof(decimal)).Converter);
        Assert.Equal(SqliteScalars.Kind.Decimal, SqliteScalars.Of(options.GetTypeInfo(typeof(decimal)), options));
        Assert.Equal(SqliteScalars.Kind.Int64, SqliteScalars.Of(options.GetTypeInfo(typeof(long)), options));
        Assert.Equal(SqliteScalars.Kind.Boolean, SqliteScalars.Of(options.GetTypeInfo(typeof(bool)), options));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1.2300")]
    [InlineData("-79228162514264337593543950335")]
    [InlineData("0.0000000000000000000000000001")]
    public void Each_scalar_written_straight_is_the_bytes_the_serializer_writes(string amount)
    {
        var money = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture);
        var instants = new[] { DateTimeOffset.MinValue, new DateTimeOffset(2026, 3, 29, 1, 59, 59, 999, TimeSpan.FromHours(1)).AddTicks(7), DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue };
        (object? Value, Type Type)[] values =
        [
            (money, typeof(decimal)), (money, typeof(decimal?)), (null, typeof(decimal?)), (long.MinValue, typeof(long)), (int.MaxValue, typeof(int)), (true, typeof(bool)),
            ("é \"quoted\" <tag> & \u2028 \U0001F4DE", typeof(string)), (null, typeof(string)),
            .. instants.Select(i => ((object?)i, typeof(DateTimeOffset))), (instants[1], typeof(DateTimeOffset?)),
        ];
        foreach (var (value, type) in values)
        {
            var info = StoredJson.Options.GetTypeInfo(type);
            var straight = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(straight, new JsonWriterOptions { Encoder = StoredJson.Options.Encoder, SkipValidation = true }))
            {
                Assert.True(SqliteScalars.Of(info, StoredJson.Options).TryWrite(writer, value));
            }

            Assert.Equal(JsonSerializer.Serialize(value, info), System.Text.Encoding.UTF8.GetString(straight.WrittenSpan));
        }
    }

    [Fact]
    public void The_head_of_a_small_account_is_byte_for_byte_the_serializer_s_document()
    {
        var state = AccountState.Open("small", Fixtures.Prepaid(), 12.3400m, new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.FromHours(1)))
            .Suspend("a reason with \"quotes\" and é", Fixtures.Now);
        var written = SqliteDocumentRows.Write(1, state, null);
        Assert.Empty(written.Rows); // all of it is in the head
        Assert.Equal(JsonSerializer.Serialize(state, StoredJson.Options), System.Text.Encoding.UTF8.GetString(written.Head));
    }

    [Fact]
    public async Task A_closed_session_s_record_is_the_serializer_s_json_and_the_account_write_after_it_reuses_the_session_s_bytes()
    {
        var versions = await SqliteDocumentRowsTests.BusyVersionsAsync();
        var before = versions[^2];
        var after = versions[^1]; // the last terminate
        var closed = after.Sessions.Values.Single(s => !ReferenceEquals(s, before.Sessions.GetValueOrDefault(s.SessionId)));
        var record = SqliteDocumentRows.WriteHolding(new ClosedSession(after.AccountId, closed), closed);
        Assert.Equal(SqliteValues.Json(new ClosedSession(after.AccountId, closed)), record.ToArray());
        record.Return();

        var written = SqliteDocumentRows.Write(2, after, SqliteDocumentRows.Write(1, before, null));
        var row = written.Rows[new PartKey("sessions", closed.SessionId)];
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(closed, StoredJson.Options), row);
        var again = SqliteDocumentRows.Write(2, after, SqliteDocumentRows.Write(1, before, null)).Rows[new PartKey("sessions", closed.SessionId)];
        Assert.Same(row, again); // the bytes kept with the session, not serialized again
    }

    [Fact]
    public async Task The_document_kept_for_an_account_s_next_write_holds_no_head_and_the_file_holds_the_head_written()
    {
        var accounts = new SqliteAccountStore(_store.Database);
        var state = AccountState.Open("a", Fixtures.Prepaid(), 5m, Fixtures.Now);
        var etag = await accounts.TryCreateAsync(state, default);
        Assert.NotNull(etag);
        var next = state.Suspend("a reason", Fixtures.Now);
        Assert.NotNull(await accounts.TryReplaceAsync(next, etag!, default));

        // The head was bound from a rented array, given back once the write completed; the document remembered as the
        // basis of the next write keeps its parts only (it used to keep the head until the account's next write).
        Assert.Empty(_store.Database.Known.Document("a")!.Head);
        var head = _store.Database.Read(session => session.Command("SELECT doc FROM accounts WHERE account_id = 'a'").ExecuteScalar() as byte[]);
        Assert.Equal(SqliteDocumentRows.Write(2, next, null).Head, head);
    }

    [Fact]
    public async Task A_head_in_a_rented_array_is_the_head_written_as_an_array()
    {
        var versions = await SqliteDocumentRowsTests.BusyVersionsAsync();
        AccountDocument? previous = null;
        for (var i = 0; i < versions.Count; i++)
        {
            var document = SqliteDocumentRows.Write(i + 1, versions[i], previous, out var head);
            Assert.Empty(document.Head);
            Assert.Equal(SqliteDocumentRows.Write(i + 1, versions[i], previous).Head, head.ToArray());
            head.Return();
            previous = document;
        }
    }

    [Fact]
    public async Task A_row_believed_stored_but_missing_is_put_all_the_same()
    {
        var accounts = new SqliteAccountStore(_store.Database);
        var state = AccountState.Open("a", Fixtures.Prepaid(), 5m, Fixtures.Now);
        Assert.NotNull(await accounts.TryCreateAsync(state, default));
        var key = new PartKey("extra", SqliteDocumentRows.Whole);
        var changes = new PartChanges(ReplaceAll: false, [new PartRow(key, "[1,2]"u8.ToArray(), Existed: true)], []);
        await _store.Database.WriteAsync(session =>
        {
            SqliteDocumentRows.Apply(session, "a", changes);
            return true;
        }, default);
        var stored = _store.Database.Read(session => session.Statement("SELECT json FROM account_parts WHERE account_id = ?1 AND part = ?2").Bind(1, "a").Bind(2, "extra").Text());
        Assert.Equal("[1,2]", stored);
    }

    [Fact]
    public async Task A_monitor_document_is_read_from_memory_after_its_write_and_from_the_file_after_a_restart()
    {
        var monitors = new SqliteMonitorStore(_store.Database);
        var first = Monitor(1, 3.5000m);
        var created = await monitors.TryCreateAsync(first, default);
        Assert.Equal("1", created);
        var known = await monitors.GetAsync("m", default);
        Assert.Equal("1", known!.ETag);
        Assert.Same(first, known.Value); // from memory
        var second = Monitor(2, 4m);
        Assert.Equal("2", await monitors.TryReplaceAsync(second, "1", default));
        Assert.Same(second, (await new SqliteMonitorStore(_store.Database).GetAsync("m", default))!.Value); // shared by the stores on the file
        Assert.Null(await monitors.TryReplaceAsync(Monitor(3, 5m), "1", default)); // stale
        Assert.Null(await monitors.TryCreateAsync(first, default)); // exists
        var reread = await monitors.GetAsync("m", default); // from the file, since a refused write forgets
        Assert.Equal("2", reread!.ETag);
        Assert.Equal(JsonSerializer.Serialize(second, StoredJson.Options), JsonSerializer.Serialize(reread.Value, StoredJson.Options));

        _store.Reopen();
        var read = await new SqliteMonitorStore(_store.Database).GetAsync("m", default);
        Assert.Equal("2", read!.ETag);
        Assert.Equal(JsonSerializer.Serialize(second, StoredJson.Options), JsonSerializer.Serialize(read.Value, StoredJson.Options));
        Assert.Null(await new SqliteMonitorStore(_store.Database).GetAsync("other", default));
    }

    [Fact]
    public async Task A_monitor_write_refused_as_stale_forgets_what_was_known_and_the_next_read_asks_the_file()
    {
        var monitors = new SqliteMonitorStore(_store.Database);
        Assert.Equal("1", await monitors.TryCreateAsync(Monitor(1, 1m), default));

        // Changed behind this process's back (it never is: the file has one writer), the version known is stale.
        await _store.Database.WriteAsync(session => session.Statement("UPDATE monitors SET version = 7 WHERE account_id = ?1").Bind(1, "m").Run(), default);
        Assert.Equal("1", (await monitors.GetAsync("m", default))!.ETag);
        Assert.Null(await monitors.TryReplaceAsync(Monitor(2, 2m), "1", default)); // the file still refuses it
        Assert.Equal("7", (await monitors.GetAsync("m", default))!.ETag);
        Assert.Equal("8", await monitors.TryReplaceAsync(Monitor(2, 2m), "7", default));
    }

    private static MonitorState Monitor(long revision, decimal lastHour) =>
        new("m", revision, new SpendFigures(lastHour, 2m, 3m, null, 4m, 10m, 0.4000m, "ok"), Fixtures.Now, ["alert-1"]);

    private sealed class TextDecimal : System.Text.Json.Serialization.JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => decimal.Parse(reader.GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
