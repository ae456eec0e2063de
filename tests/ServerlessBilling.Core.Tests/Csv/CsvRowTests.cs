using ServerlessBilling.Core.Csv;

namespace ServerlessBilling.Core.Tests.Csv;

public sealed class CsvRowTests
{
    [Theory]
    [InlineData("a,b,c", new[] { "a", "b", "c" })]
    [InlineData("a", new[] { "a" })]
    [InlineData("", new[] { "" })]
    [InlineData("a,,c", new[] { "a", "", "c" })]
    [InlineData(",", new[] { "", "" })]
    [InlineData(",,", new[] { "", "", "" })]
    [InlineData("a,b,", new[] { "a", "b", "" })]
    [InlineData(",a", new[] { "", "a" })]
    [InlineData(" a , b ", new[] { " a ", " b " })]
    [InlineData("\"a,b\",c", new[] { "a,b", "c" })]
    [InlineData("c,\"a,b\"", new[] { "c", "a,b" })]
    [InlineData("\"a\",\"b\"", new[] { "a", "b" })]
    [InlineData("\"\"", new[] { "" })]
    [InlineData("\"\",x", new[] { "", "x" })]
    [InlineData("\"a\",", new[] { "a", "" })]
    [InlineData("\"He said \"\"hi\"\"\",x", new[] { "He said \"hi\"", "x" })]
    [InlineData("\"\"\"\"", new[] { "\"" })]
    [InlineData("\"a\"\"\",\"\"\"b\"", new[] { "a\"", "\"b" })]
    [InlineData("\"x,\"\"y\"\",z\"", new[] { "x,\"y\",z" })]
    [InlineData("a\"b,c", new[] { "a\"b", "c" })] // a quote inside an unquoted field is text
    [InlineData("\"a\nb\",c", new[] { "a\nb", "c" })]
    public void Splits_into_fields(string line, string[] expected)
    {
        var row = new CsvRow();

        Assert.True(row.Split(line), row.Error);
        Assert.Null(row.Error);
        Assert.Equal(expected, Fields(row));
    }

    [Theory]
    [InlineData("\"abc")]
    [InlineData("a,\"bc")]
    [InlineData("a,\"b\"\"")]
    [InlineData("\"")]
    public void An_unterminated_quote_is_an_error(string line)
    {
        var row = new CsvRow();

        Assert.False(row.Split(line));
        Assert.Contains("unterminated", row.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("\"a\"b,c")]
    [InlineData("\"a\" ,c")]
    [InlineData("x,\"a\"b")]
    public void Text_after_a_closing_quote_is_an_error(string line)
    {
        var row = new CsvRow();

        Assert.False(row.Split(line));
        Assert.False(string.IsNullOrEmpty(row.Error));
    }

    [Fact]
    public void The_span_indexer_and_GetString_agree()
    {
        var row = new CsvRow();
        Assert.True(row.Split("plain,\"quoted, comma\",\"esc\"\"aped\""));

        for (var i = 0; i < row.Count; i++)
        {
            Assert.Equal(row.GetString(i), row[i].ToString());
        }
    }

    [Fact]
    public void A_row_is_reusable_and_forgets_the_previous_line()
    {
        var row = new CsvRow();
        Assert.True(row.Split("\"a\"\"b\",\"c\"\"d\",e"));
        Assert.Equal(["a\"b", "c\"d", "e"], Fields(row));

        Assert.True(row.Split("x,y"));
        Assert.Equal(["x", "y"], Fields(row));

        Assert.False(row.Split("\"broken"));
        Assert.NotNull(row.Error);

        Assert.True(row.Split("p,q,r"));
        Assert.Null(row.Error);
        Assert.Equal(["p", "q", "r"], Fields(row));
    }

    [Fact]
    public void Many_fields_grow_the_row()
    {
        var values = Enumerable.Range(0, 100).Select(i => i % 3 == 0 ? $"\"v{i},\"\"q\"\"\"" : $"v{i}").ToArray();
        var row = new CsvRow();

        Assert.True(row.Split(string.Join(",", values)));

        Assert.Equal(100, row.Count);
        Assert.Equal("v1", row.GetString(1));
        Assert.Equal("v99,\"q\"", row.GetString(99));
        Assert.Equal("v0,\"q\"", row.GetString(0));
    }

    [Fact]
    public void Many_empty_fields_grow_the_row()
    {
        var row = new CsvRow();

        Assert.True(row.Split(new string(',', 40)));

        Assert.Equal(41, row.Count);
        Assert.All(Fields(row), f => Assert.Equal("", f));
    }

    private static string[] Fields(CsvRow row) => Enumerable.Range(0, row.Count).Select(row.GetString).ToArray();
}
