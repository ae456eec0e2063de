using System.Globalization;
using System.Text;

namespace ServerlessBilling.LoadBench.Infrastructure;

/// <summary>A plain-text table: a title, a header and rows, padded to the widest cell of each column.</summary>
internal sealed class Table(string title, params string[] headers)
{
    private readonly List<string[]> _rows = [];
    private readonly List<string> _notes = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public void Note(string note) => _notes.Add(note);

    public void Print(TextWriter output)
    {
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var row in _rows)
        {
            for (var i = 0; i < row.Length && i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var line = new StringBuilder();
        output.WriteLine();
        output.WriteLine(title);
        output.WriteLine(Format(headers, widths, line));
        output.WriteLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (var row in _rows)
        {
            output.WriteLine(Format(row, widths, line));
        }

        foreach (var note in _notes)
        {
            output.WriteLine("  " + note);
        }

        output.Flush();
    }

    private static string Format(string[] cells, int[] widths, StringBuilder line)
    {
        line.Clear();
        for (var i = 0; i < widths.Length; i++)
        {
            var cell = i < cells.Length ? cells[i] : "";
            if (i > 0)
            {
                line.Append(" | ");
            }

            // Text left, figures right.
            var numeric = cell.Length > 0 && (char.IsDigit(cell[0]) || cell[0] is '-' or '+' || cell is "n/a");
            line.Append(numeric ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]));
        }

        return line.ToString().TrimEnd();
    }
}

/// <summary>Number formats for the tables, and target verdicts.</summary>
internal static class Fmt
{
    public static string N0(double value) => double.IsNaN(value) ? "n/a" : value.ToString("N0", CultureInfo.InvariantCulture);

    public static string N1(double value) => double.IsNaN(value) ? "n/a" : value.ToString("N1", CultureInfo.InvariantCulture);

    public static string N2(double value) => double.IsNaN(value) ? "n/a" : value.ToString("N2", CultureInfo.InvariantCulture);

    public static string N3(double value) => double.IsNaN(value) ? "n/a" : value.ToString("N3", CultureInfo.InvariantCulture);

    public static string AtLeast(double value, double target, string unit) => $"{Verdict(value >= target)} (>= {N0(target)}{unit})";

    public static string Below(double value, double target, string unit) => $"{Verdict(value < target)} (< {Trim(target)}{unit})";

    public static string Ratio(double numerator, double denominator) =>
        denominator <= 0 ? "n/a" : (numerator / denominator).ToString(numerator / denominator < 0.1 ? "0.0000" : "0.00", CultureInfo.InvariantCulture) + "x";

    private static string Verdict(bool met) => met ? "MET" : "MISSED";

    private static string Trim(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
