using System.Text.Json;
using Microsoft.Data.Sqlite;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>How values are kept in columns: documents as UTF-8 JSON, instants as UTC ticks (exact and ordered).</summary>
internal static class SqliteValues
{
    public static byte[] Json<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, StoredJson.Options);

    public static T FromJson<T>(SqliteDataReader reader, int ordinal) => FromJson<T>(reader.GetFieldValue<byte[]>(ordinal));

    public static T FromJson<T>(byte[] json) =>
        JsonSerializer.Deserialize<T>(json, StoredJson.Options) ?? throw new InvalidDataException("a stored document is null");

    public static long Ticks(DateTimeOffset instant) => instant.UtcTicks;

    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }
}
