namespace ServerlessBilling.Core.Csv;

/// <summary>Maps a CSV header's column names (without regard to case or underscores, trimmed) to their positions.</summary>
public sealed class CsvHeader
{
    private readonly Dictionary<string, int> _columns;

    private CsvHeader(Dictionary<string, int> columns, int count)
    {
        _columns = columns;
        Count = count;
    }

    public int Count { get; }

    /// <summary>
    /// Reads the header; <paramref name="error"/> names every required column that is missing. A column named twice
    /// maps to its first position, or, with <paramref name="refuseDuplicates"/>, is an error: which of its fields a
    /// line means would be a guess, and the files that carry money (CDRs, rate decks) do not guess.
    /// </summary>
    public static CsvHeader? TryCreate(string? line, IReadOnlyList<string> required, out string? error, bool refuseDuplicates = false)
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

        var columns = new Dictionary<string, int>(ColumnNames.Instance);
        for (var i = 0; i < row.Count; i++)
        {
            var name = row.GetString(i).Trim();
            if (!columns.TryAdd(name, i) && refuseDuplicates && ColumnNames.Key(name).Length > 0)
            {
                error = $"the header names column '{name}' twice (columns {columns[name] + 1} and {i + 1})";
                return null;
            }
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

    /// <summary>Whether two names are one column (or one field of a JSON CDR): alike without regard to case or underscores.</summary>
    internal static bool SameName(string x, string y) => ColumnNames.Instance.Equals(x, y);

    /// <summary>
    /// Column names compared without regard to case or underscores: <c>session_id</c>, <c>SESSION_ID</c> and <c>sessionId</c>
    /// (the name the API gives the field in every JSON body) are one column. Matched by case alone, a CDR file whose header
    /// said <c>sessionId</c> had that column ignored as unknown, and each of its CDRs charged again the call its session's
    /// terminate had charged. No two columns of a file differ by underscores alone.
    /// </summary>
    private sealed class ColumnNames : IEqualityComparer<string>
    {
        public static readonly ColumnNames Instance = new();

        public static string Key(string name) => name.Contains('_', StringComparison.Ordinal) ? name.Replace("_", "", StringComparison.Ordinal) : name;

        public bool Equals(string? x, string? y) =>
            x is null || y is null ? ReferenceEquals(x, y) : string.Equals(Key(x), Key(y), StringComparison.OrdinalIgnoreCase);

        public int GetHashCode(string obj) => StringComparer.OrdinalIgnoreCase.GetHashCode(Key(obj));
    }
}
