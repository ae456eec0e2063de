namespace ServerlessBilling.Core.Csv;

/// <summary>Maps a CSV header's column names (case-insensitive, trimmed) to their positions.</summary>
public sealed class CsvHeader
{
    private readonly Dictionary<string, int> _columns;

    private CsvHeader(Dictionary<string, int> columns, int count)
    {
        _columns = columns;
        Count = count;
    }

    public int Count { get; }

    /// <summary>Reads the header; <paramref name="error"/> names every required column that is missing.</summary>
    public static CsvHeader? TryCreate(string? line, IReadOnlyList<string> required, out string? error)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            error = "the header line is missing (expected columns: " + string.Join(",", required) + ")";
            return null;
        }

        var row = new CsvRow();
        if (!row.Split(line.TrimStart('\uFEFF')))
        {
            error = "the header line cannot be read: " + row.Error;
            return null;
        }

        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < row.Count; i++)
        {
            columns.TryAdd(row.GetString(i).Trim(), i);
        }

        var missing = required.Where(name => !columns.ContainsKey(name)).ToList();
        if (missing.Count > 0)
        {
            error = "the header lacks required column(s): " + string.Join(", ", missing);
            return null;
        }

        error = null;
        return new CsvHeader(columns, row.Count);
    }

    /// <summary>The column's position, or -1 when the header does not have it.</summary>
    public int IndexOf(string name) => _columns.TryGetValue(name, out var index) ? index : -1;
}
