using System.Buffers;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// JSON that is bound to a statement and then no longer needed (an account document's head, a closed session's record),
/// in an array rented from the shared pool instead of one of its own: both are written on every credit-control step
/// (about 4 KB a pair), and an account's head used to be kept with the document until the account's next write, so it
/// outlived the young generation and was collected late. The array goes back to the pool with <see cref="Return"/>, once
/// the writer can no longer run the write that binds it (its task completed, or its commit ran); a value never returned
/// is left to the collector.
/// </summary>
internal readonly struct SqliteRentedJson
{
    private readonly byte[] _array;
    private readonly bool _pooled;

    private SqliteRentedJson(byte[] array, int length, bool pooled) => (_array, Length, _pooled) = (array, length, pooled);

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _array.AsSpan(0, Length);

    /// <summary>A copy of <paramref name="json"/> in a rented array.</summary>
    public static SqliteRentedJson Copy(ReadOnlySpan<byte> json)
    {
        var array = ArrayPool<byte>.Shared.Rent(json.Length);
        json.CopyTo(array);
        return new SqliteRentedJson(array, json.Length, pooled: true);
    }

    /// <summary>An array of its own (nothing to return).</summary>
    public static SqliteRentedJson Of(byte[] json) => new(json, json.Length, pooled: false);

    public byte[] ToArray() => Span.ToArray();

    /// <summary>Gives the array back to the pool: call it once, when nothing will read the JSON again.</summary>
    public void Return()
    {
        if (_pooled)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }
    }
}
