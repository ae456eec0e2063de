using ServerlessBilling.Core.Csv;

namespace ServerlessBilling.Core.Tests.Csv;

public sealed class CsvHeaderTests
{
    private static readonly string[] Required = ["id", "amount"];

    [Fact]
    public void Maps_names_to_positions_case_insensitively_and_trimmed()
    {
        var header = CsvHeader.TryCreate(" Amount ,note,ID", Required, out var error);

        Assert.Null(error);
        Assert.NotNull(header);
        Assert.Equal(3, header.Count);
        Assert.Equal(2, header.IndexOf("id"));
        Assert.Equal(0, header.IndexOf("amount"));
        Assert.Equal(1, header.IndexOf("NOTE"));
        Assert.Equal(-1, header.IndexOf("missing"));
    }

    [Fact]
    public void A_byte_order_mark_is_ignored()
    {
        var header = CsvHeader.TryCreate("\uFEFFid,amount", Required, out _);

        Assert.Equal(0, header!.IndexOf("id"));
    }

    [Fact]
    public void Quoted_names_are_read()
    {
        var header = CsvHeader.TryCreate("\"id\",\"amount\"", Required, out _);

        Assert.Equal(1, header!.IndexOf("amount"));
    }

    [Fact]
    public void The_first_of_duplicate_names_wins()
    {
        var header = CsvHeader.TryCreate("id,amount,id", Required, out _);

        Assert.Equal(0, header!.IndexOf("id"));
        Assert.Equal(3, header.Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_missing_header_is_an_error(string? line)
    {
        Assert.Null(CsvHeader.TryCreate(line, Required, out var error));
        Assert.Contains("header", error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Every_missing_required_column_is_named()
    {
        Assert.Null(CsvHeader.TryCreate("note", Required, out var error));
        Assert.Contains("id", error, StringComparison.Ordinal);
        Assert.Contains("amount", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_quoting_in_the_header_is_an_error()
    {
        Assert.Null(CsvHeader.TryCreate("id,\"amount", Required, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
