using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Tests.Rating;

public sealed class RateDeckParserTests
{
    private const string Header = Decks.Header;

    [Fact]
    public void Parses_the_example_of_the_contract()
    {
        var deck = Decks.Import(
            Header,
            "44,United Kingdom,0.0100,0,60,60,,",
            "4420,United Kingdom London,0.0080,0,30,6,2026-01-01,");

        Assert.Equal("test-deck", deck.DeckId);
        Assert.Equal(2, deck.Rows.Count);
        var uk = deck.Rows[0];
        Assert.Equal("44", uk.Prefix);
        Assert.Equal("United Kingdom", uk.Destination);
        Assert.Equal(new Tariff(0.0100m, 0m, 60, 60), uk.Tariff);
        Assert.Null(uk.EffectiveFrom);
        Assert.Null(uk.EffectiveTo);
        Assert.Equal(2, uk.Line);
        var london = deck.Rows[1];
        Assert.Equal("4420", london.Prefix);
        Assert.Equal("United Kingdom London", london.Destination);
        Assert.Equal(new Tariff(0.0080m, 0m, 30, 6), london.Tariff);
        Assert.Equal(new DateOnly(2026, 1, 1), london.EffectiveFrom);
        Assert.Null(london.EffectiveTo);
        Assert.Equal(3, london.Line);
    }

    [Fact]
    public void Parses_from_a_reader()
    {
        var import = RateDeckParser.Parse("d", new StringReader(Header + "\r\n44,United Kingdom,0.01,0,60,60,,\r\n"));

        Assert.True(import.Succeeded);
        Assert.Single(import.Deck!.Rows);
    }

    [Fact]
    public void Columns_may_come_in_any_order()
    {
        var deck = Decks.Import(
            "effective_to,increment_seconds,rate,destination,min_seconds,effective_from,connect_fee,prefix",
            "2027-01-01,6,0.0080,United Kingdom London,30,2026-01-01,0.05,4420");

        var row = Assert.Single(deck.Rows);
        Assert.Equal("4420", row.Prefix);
        Assert.Equal("United Kingdom London", row.Destination);
        Assert.Equal(new Tariff(0.0080m, 0.05m, 30, 6), row.Tariff);
        Assert.Equal(new DateOnly(2026, 1, 1), row.EffectiveFrom);
        Assert.Equal(new DateOnly(2027, 1, 1), row.EffectiveTo);
    }

    [Fact]
    public void Header_names_are_case_insensitive_and_trimmed()
    {
        var deck = Decks.Import(
            " Prefix , DESTINATION,Rate,Min_Seconds,increment_seconds ",
            "44,United Kingdom,0.01,60,60");

        Assert.Equal("44", Assert.Single(deck.Rows).Prefix);
    }

    [Fact]
    public void Extra_columns_are_ignored()
    {
        var deck = Decks.Import(
            "region,prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to,notes",
            "EU,44,United Kingdom,0.01,0,60,60,,,cheap",
            "EU,33,France,0.02,0,60,60,,,\"mobile, fixed\"");

        Assert.Equal(["44", "33"], deck.Rows.Select(r => r.Prefix));
        Assert.Equal(new Tariff(0.02m, 0m, 60, 60), deck.Rows[1].Tariff);
    }

    [Fact]
    public void Optional_columns_may_be_absent_from_the_header()
    {
        var deck = Decks.Import(
            "prefix,destination,rate,min_seconds,increment_seconds",
            "44,United Kingdom,0.01,60,60");

        var row = Assert.Single(deck.Rows);
        Assert.Equal(0m, row.Tariff.ConnectFee);
        Assert.Null(row.EffectiveFrom);
        Assert.Null(row.EffectiveTo);
    }

    [Fact]
    public void A_blank_connect_fee_is_zero()
    {
        var deck = Decks.Import(Header, "44,United Kingdom,0.01,,60,60,,");

        Assert.Equal(0m, Assert.Single(deck.Rows).Tariff.ConnectFee);
    }

    [Fact]
    public void A_quoted_destination_may_hold_a_comma_and_quotes()
    {
        var deck = Decks.Import(
            Header,
            "4420,\"United Kingdom, London\",0.008,0,30,6,,",
            "4421,\"The \"\"Big\"\" Smoke\",0.008,0,30,6,,");

        Assert.Equal("United Kingdom, London", deck.Rows[0].Destination);
        Assert.Equal("The \"Big\" Smoke", deck.Rows[1].Destination);
    }

    [Fact]
    public void Blank_lines_are_skipped_but_counted()
    {
        var deck = Decks.Import(Header, "", "44,United Kingdom,0.01,0,60,60,,", "   ", "", "33,France,0.02,0,60,60,,", "");

        Assert.Equal([3, 6], deck.Rows.Select(r => r.Line));
    }

    [Fact]
    public void Fields_are_trimmed()
    {
        var deck = Decks.Import(Header, " 44 , United Kingdom , 0.01 , 0.1 , 60 , 1 , 2026-01-01 , 2027-01-01 ");

        var row = Assert.Single(deck.Rows);
        Assert.Equal("44", row.Prefix);
        Assert.Equal("United Kingdom", row.Destination);
        Assert.Equal(new Tariff(0.01m, 0.1m, 60, 1), row.Tariff);
        Assert.Equal(new DateOnly(2027, 1, 1), row.EffectiveTo);
    }

    [Fact]
    public void A_bom_before_the_header_is_ignored()
    {
        var deck = Decks.Import("\uFEFF" + Header, "44,United Kingdom,0.01,0,60,60,,");

        Assert.Single(deck.Rows);
    }

    [Fact]
    public void Zero_rate_zero_minimum_and_equal_prefixes_in_different_decks_are_fine()
    {
        var deck = Decks.Import(Header, "800,Freephone,0,0,0,1,,");

        Assert.Equal(new Tariff(0m, 0m, 0, 1), Assert.Single(deck.Rows).Tariff);
    }

    // ---- header errors (line 1) ----

    [Fact]
    public void A_missing_header_is_an_error_on_line_1()
    {
        var error = Decks.SingleError(1, "");

        Assert.Contains("header", error.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("prefix")]
    [InlineData("destination")]
    [InlineData("rate")]
    [InlineData("min_seconds")]
    [InlineData("increment_seconds")]
    public void A_header_without_a_required_column_names_it(string column)
    {
        var header = string.Join(",", Header.Split(',').Where(c => c != column));
        var row = "44,United Kingdom,0.01,0,60,60,,";

        var error = Decks.SingleError(1, header, row);

        Assert.Contains(column, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_without_several_required_columns_names_them_all()
    {
        var error = Decks.SingleError(1, "prefix,destination,connect_fee", "44,United Kingdom,0");

        Assert.Contains("rate", error.Reason, StringComparison.Ordinal);
        Assert.Contains("min_seconds", error.Reason, StringComparison.Ordinal);
        Assert.Contains("increment_seconds", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_data_line_in_place_of_the_header_is_an_error_on_line_1()
    {
        Decks.SingleError(1, "44,United Kingdom,0.01,0,60,60,,", "33,France,0.02,0,60,60,,");
    }

    [Fact]
    public void A_deck_with_only_a_header_is_rejected()
    {
        Decks.Errors(Header);
        Decks.Errors(Header, "", "  ");
    }

    // ---- line errors ----

    [Theory]
    [InlineData(",United Kingdom,0.01,0,60,60,,", "prefix")]
    [InlineData("  ,United Kingdom,0.01,0,60,60,,", "prefix")]
    [InlineData("44a,United Kingdom,0.01,0,60,60,,", "44a")]
    [InlineData("+44,United Kingdom,0.01,0,60,60,,", "+44")]
    [InlineData("0044 20,United Kingdom,0.01,0,60,60,,", "prefix")]
    [InlineData("4-4,United Kingdom,0.01,0,60,60,,", "prefix")]
    [InlineData("123456789012345678901234567890123,Too long,0.01,0,60,60,,", "prefix")]
    [InlineData("44,,0.01,0,60,60,,", "destination")]
    [InlineData("44,United Kingdom,,0,60,60,,", "rate")]
    [InlineData("44,United Kingdom,abc,0,60,60,,", "rate")]
    [InlineData("44,United Kingdom,0.01.2,0,60,60,,", "rate")]
    [InlineData("44,United Kingdom,1e-2,0,60,60,,", "rate")]
    [InlineData("44,United Kingdom,0;01,0,60,60,,", "rate")]
    [InlineData("44,United Kingdom,-0.01,0,60,60,,", "rate")]
    [InlineData("44,United Kingdom,1000000000.0001,0,60,60,,", "rate")]
    [InlineData("44,United Kingdom,79228162514264337593543950335,0,60,60,,", "rate")]
    [InlineData("44,United Kingdom,0.01,1000000001,60,60,,", "connect_fee")]
    [InlineData("44,United Kingdom,0.01,-0.5,60,60,,", "connect_fee")]
    [InlineData("44,United Kingdom,0.01,free,60,60,,", "connect_fee")]
    [InlineData("44,United Kingdom,0.01,0,60,0,,", "increment_seconds")]
    [InlineData("44,United Kingdom,0.01,0,-1,60,,", "min_seconds")]
    [InlineData("44,United Kingdom,0.01,0,60,-6,,", "increment_seconds")]
    [InlineData("44,United Kingdom,0.01,0,,60,,", "min_seconds")]
    [InlineData("44,United Kingdom,0.01,0,60,,,", "increment_seconds")]
    [InlineData("44,United Kingdom,0.01,0,30.5,6,,", "min_seconds")]
    [InlineData("44,United Kingdom,0.01,0,30,6.0,,", "increment_seconds")]
    [InlineData("44,United Kingdom,0.01,0,thirty,6,,", "min_seconds")]
    [InlineData("44,United Kingdom,0.01,0,99999999999,6,,", "min_seconds")]
    [InlineData("44,United Kingdom,0.01,0,60,60,2026-13-01,", "effective_from")]
    [InlineData("44,United Kingdom,0.01,0,60,60,01/02/2026,", "effective_from")]
    [InlineData("44,United Kingdom,0.01,0,60,60,2026-02-30,", "effective_from")]
    [InlineData("44,United Kingdom,0.01,0,60,60,,2026-1-1", "effective_to")]
    [InlineData("44,United Kingdom,0.01,0,60,60,,2026-01-01T00:00:00Z", "effective_to")]
    [InlineData("44,United Kingdom,0.01,0,60,60,2026-06-01,2026-06-01", "effective_to")]
    [InlineData("44,United Kingdom,0.01,0,60,60,2026-06-01,2026-05-31", "effective_to")]
    [InlineData("44,United Kingdom,0.01", "columns")]
    [InlineData("44", "columns")]
    [InlineData("44,\"United Kingdom,0.01,0,60,60,,", "quot")]
    [InlineData("44,\"United\" Kingdom,0.01,0,60,60,,", "quote")]
    public void A_bad_line_is_reported_with_its_number_and_reason(string line, string mentioned)
    {
        var error = Decks.SingleError(3, Header, "33,France,0.02,0,60,60,,", line, "49,Germany,0.03,0,60,60,,");

        Assert.Contains(mentioned, error.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal($"line 3: {error.Reason}", error.ToString());
    }

    [Fact]
    public void A_line_with_more_fields_than_the_header_is_rejected()
    {
        // An unquoted comma in the last column must not silently drop part of the destination.
        var error = Decks.SingleError(
            2,
            "prefix,rate,connect_fee,min_seconds,increment_seconds,destination",
            "4420,0.008,0,30,6,United Kingdom, London");

        Assert.Contains("columns", error.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_line_with_fewer_fields_than_the_header_is_rejected()
    {
        var error = Decks.SingleError(2, Header, "44,United Kingdom,0.01,0,60,60,2026-01-01");

        Assert.Contains("columns", error.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Every_bad_line_is_reported_in_one_import_in_line_order()
    {
        var errors = Decks.Errors(
            Header,
            "44,United Kingdom,0.01,0,60,60,,",
            "44a,Bad prefix,0.01,0,60,60,,",
            "33,France,0.02,0,60,60,,",
            "",
            "49,Germany,-1,0,60,60,,",
            "34,Spain,0.02,0,60,0,,",
            "39,Italy,0.02,0,60,60,2026-02-30,",
            "41,Switzerland,0.02,0,60,60,,",
            "1,\"North America,0.02,0,60,60,,");

        Assert.Equal([3, 6, 7, 8, 10], errors.Select(e => e.Line));
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Reason)));
    }

    [Fact]
    public void Line_errors_and_overlaps_are_reported_together()
    {
        var errors = Decks.Errors(
            Header,
            "44,United Kingdom,0.01,0,60,60,,",
            "44,United Kingdom again,0.01,0,60,60,,",
            "33,France,abc,0,60,60,,");

        Assert.Equal([3, 4], errors.Select(e => e.Line));
    }

    [Fact]
    public void One_bad_line_among_good_ones_yields_no_deck()
    {
        var import = RateDeckParser.Parse(
            "d",
            string.Join("\n", Header, "44,United Kingdom,0.01,0,60,60,,", "33,France,0.02,0,60,60,,", "x,Bad,0.01,0,60,60,,"));

        Assert.False(import.Succeeded);
        Assert.Null(import.Deck);
        Assert.Equal(4, Assert.Single(import.Errors).Line);
    }

    // ---- effective ranges ----

    [Fact]
    public void Two_open_ranges_for_one_prefix_overlap()
    {
        AssertOneOverlapBetween(
            2,
            4,
            Decks.Errors(
                Header,
                "44,United Kingdom,0.01,0,60,60,,",
                "33,France,0.02,0,60,60,,",
                "44,United Kingdom,0.02,0,60,60,,"));
    }

    [Fact]
    public void An_open_ended_range_overlaps_a_later_range()
    {
        AssertOneOverlapBetween(
            2,
            3,
            Decks.Errors(
                Header,
                "44,United Kingdom,0.01,0,60,60,2026-01-01,",
                "44,United Kingdom,0.02,0,60,60,2026-06-01,2026-07-01"));
    }

    [Fact]
    public void An_open_start_overlaps_an_earlier_range()
    {
        AssertOneOverlapBetween(
            2,
            3,
            Decks.Errors(
                Header,
                "44,United Kingdom,0.01,0,60,60,2025-01-01,2025-06-01",
                "44,United Kingdom,0.02,0,60,60,,2025-03-01"));
    }

    [Fact]
    public void Closed_ranges_that_share_days_overlap_whatever_their_order_in_the_file()
    {
        AssertOneOverlapBetween(
            2,
            3,
            Decks.Errors(
                Header,
                "44,United Kingdom,0.02,0,60,60,2026-02-01,2026-04-01",
                "44,United Kingdom,0.01,0,60,60,2026-01-01,2026-03-01"));
    }

    [Fact]
    public void Ranges_that_share_a_single_day_overlap()
    {
        AssertOneOverlapBetween(
            2,
            3,
            Decks.Errors(
                Header,
                "44,United Kingdom,0.01,0,60,60,2026-01-01,2026-03-02",
                "44,United Kingdom,0.02,0,60,60,2026-03-01,"));
    }

    [Fact]
    public void Every_row_inside_a_long_range_is_reported()
    {
        var errors = Decks.Errors(
            Header,
            "44,United Kingdom,0.01,0,60,60,2026-01-01,2026-12-01",
            "44,United Kingdom,0.02,0,60,60,2026-02-01,2026-03-01",
            "44,United Kingdom,0.03,0,60,60,2026-04-01,2026-05-01");

        Assert.Equal([3, 4], errors.Select(e => e.Line));
    }

    [Fact]
    public void Adjacent_ranges_do_not_overlap()
    {
        var deck = Decks.Import(
            Header,
            "44,United Kingdom,0.01,0,60,60,,2026-01-01",
            "44,United Kingdom,0.02,0,60,60,2026-01-01,2026-06-01",
            "44,United Kingdom,0.03,0,60,60,2026-06-01,");

        Assert.Equal(3, deck.Rows.Count);
    }

    [Fact]
    public void The_same_range_on_different_prefixes_does_not_overlap()
    {
        var deck = Decks.Import(
            Header,
            "44,United Kingdom,0.01,0,60,60,,",
            "4420,United Kingdom London,0.01,0,60,60,,",
            "442,United Kingdom 2,0.01,0,60,60,,");

        Assert.Equal(3, deck.Rows.Count);
    }

    [Fact]
    public void Rows_with_a_gap_between_their_ranges_are_fine()
    {
        var deck = Decks.Import(
            Header,
            "44,United Kingdom,0.01,0,60,60,2026-01-01,2026-02-01",
            "44,United Kingdom,0.02,0,60,60,2026-03-01,2026-04-01");

        Assert.Equal(2, deck.Rows.Count);
    }

    /// <summary>One overlap is reported, on one of the two lines, naming the other.</summary>
    private static void AssertOneOverlapBetween(int first, int second, IReadOnlyList<DeckLineError> errors)
    {
        var error = Assert.Single(errors);
        Assert.Contains(error.Line, new[] { first, second });
        var other = error.Line == first ? second : first;
        Assert.Contains("overlap", error.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"line {other}", error.Reason, StringComparison.Ordinal);
    }
}
