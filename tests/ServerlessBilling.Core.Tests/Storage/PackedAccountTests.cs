using System.Buffers;
using System.Text;
using System.Text.Json;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Storage;

/// <summary>
/// The memory store's packed documents: the JSON comes back byte for byte, whatever it holds, and so the document
/// parsed from it is the one the JSON stores (SQLite and Cosmos DB keep the same JSON); the shared table does not grow
/// with ids.
/// </summary>
public sealed class PackedAccountTests
{
    private static readonly string Sample = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Accounts", "Samples", "account-document.json"));

    [Fact]
    public void The_stored_sample_packs_to_less_than_half_its_json_and_comes_back_as_the_same_json()
    {
        var account = JsonSerializer.Deserialize<AccountState>(Sample, StoredJson.Options)!;
        var json = JsonSerializer.SerializeToUtf8Bytes(account, StoredJson.Options);
        var packer = new PackedAccount();

        var packed = packer.Pack(account, 42);
        var (back, version) = packer.Unpack(packed);

        Assert.Equal(42, version);
        Assert.Equal(Encoding.UTF8.GetString(json), Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(back, StoredJson.Options)));
        Assert.True(packed.Length < json.Length / 2, $"{packed.Length} bytes packed from {json.Length}");
        Assert.Equal(account.NextExpiry?.UtcTicks, PackedAccount.NextExpiryUtcTicks(packed));
        Assert.Equal(42, PackedAccount.Version(packed));
        Fixtures.AssertConserved(back);
    }

    [Fact]
    public void Any_compact_json_comes_back_byte_for_byte()
    {
        var packer = new PackedJson();
        var random = new Random(7);
        for (var i = 0; i < 3000; i++)
        {
            var json = RandomJson(random);

            var back = new ArrayBufferWriter<byte>();
            packer.Unpack(packer.Pack(json), back);

            Assert.Equal(Encoding.UTF8.GetString(json), Encoding.UTF8.GetString(back.WrittenSpan));
        }
    }

    [Fact]
    public void Session_ids_applied_ids_and_other_ids_stay_out_of_the_shared_table()
    {
        var packer = new PackedJson();
        packer.Pack(Document(0));
        var shared = packer.SharedCount;

        for (var i = 1; i < 200; i++)
        {
            packer.Pack(Document(i));
        }

        Assert.Equal(shared, packer.SharedCount);

        static byte[] Document(int n) => Encoding.UTF8.GetBytes(
            """{"accountId":"a-#","periodLabel":"2026-11","sessions":{"s-#":{"sessionId":"s-#","destination":"France","status":"active","fingerprint":"f-#"}},"appliedCdrs":["c-#","d-#"],"closedOrder":["s-#"],"totals":{"2026-11":{"byDestination":{"France":{"calls":#}}}},"spend":{"hours":{"%":1.5}}}""".Replace("#", n.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("%", (498000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("2026-11-26T11:00:00+00:00")]
    [InlineData("2026-11-26T11:00:00.5+01:00")]
    [InlineData("2026-11-26T11:00:00.1234567-05:30")]
    [InlineData("2026-11-26T11:00:00.1200000+00:00")]
    [InlineData("2026-11-26T11:00:00Z")]
    [InlineData("2026-11-26T11:00:00.000+00:00")]
    [InlineData("2026-11-26 11:00:00+00:00")]
    [InlineData("0001-01-01T00:00:00+00:00")]
    public void Dates_and_date_like_strings_come_back_as_written(string text)
    {
        var packer = new PackedJson();
        var json = Encoding.UTF8.GetBytes($$"""{"x":"{{text}}","status":"{{text}}","y":["{{text}}"]}""");

        var back = new ArrayBufferWriter<byte>();
        packer.Unpack(packer.Pack(json), back);

        Assert.Equal(Encoding.UTF8.GetString(json), Encoding.UTF8.GetString(back.WrittenSpan));
    }

    private static byte[] RandomJson(Random random)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteValue(writer, random, 0);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteValue(Utf8JsonWriter writer, Random random, int depth)
    {
        switch (random.Next(depth > 6 ? 5 : 7))
        {
            case 0:
                writer.WriteStringValue(RandomString(random));
                break;
            case 1:
                writer.WriteRawValue(RandomNumber(random));
                break;
            case 2:
                writer.WriteBooleanValue(random.Next(2) == 0);
                break;
            case 3:
                writer.WriteNullValue();
                break;
            case 4:
                writer.WriteStringValue(new DateTimeOffset(random.NextInt64(TimeSpan.TicksPerDay, DateTimeOffset.MaxValue.Ticks - TimeSpan.TicksPerDay), TimeSpan.FromMinutes(random.Next(-12, 13) * 30)));
                break;
            case 5:
                writer.WriteStartArray();
                for (var i = random.Next(4); i > 0; i--)
                {
                    WriteValue(writer, random, depth + 1);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStartObject();
                for (var i = random.Next(5); i > 0; i--)
                {
                    writer.WritePropertyName(RandomName(random));
                    WriteValue(writer, random, depth + 1);
                }

                writer.WriteEndObject();
                break;
        }
    }

    private static string RandomName(Random random) => random.Next(6) switch
    {
        0 => "sessions",
        1 => "status",
        2 => random.Next(3) == 0 ? "0" + random.Next(100) : random.NextInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => RandomString(random),
    };

    private static string RandomString(Random random)
    {
        string[] pieces = ["a", "France", "\"", "\\", "\n", "é", "€", "😀", "<", "2026-11-26T11:00:00+00:00", "0", "-", " ", "\u0001", "sessions"];
        var text = new StringBuilder();
        for (var i = random.Next(6); i > 0; i--)
        {
            text.Append(pieces[random.Next(pieces.Length)]);
        }

        return text.ToString();
    }

    private static string RandomNumber(Random random) => random.Next(6) switch
    {
        0 => "0",
        1 => "-" + random.Next(1000),
        2 => random.Next(100) + "." + random.Next(10000).ToString("D4", System.Globalization.CultureInfo.InvariantCulture),
        3 => "1e" + random.Next(-5, 5),
        4 => "2.5E+" + random.Next(10),
        _ => random.NextInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
