using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Core.Tests.Rating;

public sealed class RateDeckTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static readonly RateDeck Nested = Decks.Import(
        Decks.Header,
        "4,Zone 4,0.40,0,60,60,,",
        "44,United Kingdom,0.0100,0,60,60,,",
        "4420,United Kingdom London,0.0080,0,30,6,,",
        "44207,United Kingdom London Central,0.0070,0.05,1,1,,",
        "33,France,0.0200,0,60,60,,");

    // 44 changes price at midnight UTC on 2026-11-26; 4420 exists only during November 2026.
    private static readonly RateDeck Dated = Decks.Import(
        Decks.Header,
        "44,United Kingdom old,0.0100,0,60,60,,2026-11-26",
        "44,United Kingdom new,0.0200,0,60,60,2026-11-26,",
        "4420,United Kingdom London November,0.0050,0,1,1,2026-11-01,2026-12-01");

    [Theory]
    [InlineData("+442071234567", "44207", "United Kingdom London Central")]
    [InlineData("+442081234567", "4420", "United Kingdom London")]
    [InlineData("+4420", "4420", "United Kingdom London")]
    [InlineData("+441611234567", "44", "United Kingdom")]
    [InlineData("+44", "44", "United Kingdom")]
    [InlineData("+4930123456", "4", "Zone 4")]
    [InlineData("+4", "4", "Zone 4")]
    [InlineData("+33612345678", "33", "France")]
    public void The_longest_matching_prefix_wins(string number, string prefix, string destination)
    {
        var row = Nested.Find(number, Noon);

        Assert.NotNull(row);
        Assert.Equal(prefix, row.Prefix);
        Assert.Equal(destination, row.Destination);

        var outcome = Nested.Rate(number, Noon, 61, Disposition.Answered);
        Assert.True(outcome.IsRated);
        Assert.Null(outcome.Reason);
        Assert.Equal(RatingFailure.None, outcome.Failure);
        Assert.Equal(prefix, outcome.Row!.Prefix);
        Assert.Equal(destination, outcome.Row.Destination);
    }

    [Theory]
    [InlineData("442071234567")]
    [InlineData("+442071234567")]
    [InlineData("00442071234567")]
    [InlineData(" +442071234567 ")]
    public void Plus_double_zero_and_plain_digits_give_the_same_match(string number)
    {
        var outcome = Nested.Rate(number, Noon, 61, Disposition.Answered);

        Assert.True(outcome.IsRated);
        Assert.Equal("44207", outcome.Row!.Prefix);
        Assert.Equal(61, outcome.BilledSeconds);
        Assert.Equal(0.0571m, outcome.Charge); // 0.05 + 0.007 × 61 / 60 = 0.0571166…
    }

    [Fact]
    public void Rating_applies_the_matched_tariff()
    {
        var outcome = Nested.Rate("+442081234567", Noon, 31, Disposition.Answered);

        Assert.Equal(36, outcome.BilledSeconds);
        Assert.Equal(0.0048m, outcome.Charge);
    }

    [Theory]
    [InlineData(Disposition.NoAnswer)]
    [InlineData(Disposition.Busy)]
    [InlineData(Disposition.Failed)]
    public void An_unanswered_call_is_rated_at_zero(Disposition disposition)
    {
        var outcome = Nested.Rate("+442071234567", Noon, 42, disposition);

        Assert.True(outcome.IsRated);
        Assert.Equal("44207", outcome.Row!.Prefix);
        Assert.Equal(0, outcome.BilledSeconds);
        Assert.Equal(0m, outcome.Charge); // no connect fee either
    }

    [Fact]
    public void A_zero_duration_answered_call_is_rated_at_zero()
    {
        var outcome = Nested.Rate("+442071234567", Noon, 0, Disposition.Answered);

        Assert.True(outcome.IsRated);
        Assert.Equal(0, outcome.BilledSeconds);
        Assert.Equal(0m, outcome.Charge);
    }

    [Theory]
    [InlineData("+12125551234")]
    [InlineData("0012125551234")]
    [InlineData("5")]
    public void No_matching_prefix_is_a_failure_with_a_reason(string number)
    {
        var outcome = Nested.Rate(number, Noon, 60, Disposition.Answered);

        Assert.False(outcome.IsRated);
        Assert.Equal(RatingFailure.NoMatchingPrefix, outcome.Failure);
        Assert.Null(outcome.Row);
        Assert.Equal(0, outcome.BilledSeconds);
        Assert.Equal(0m, outcome.Charge);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Reason));
        Assert.Null(Nested.Find(number, Noon));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("+")]
    [InlineData("00")]
    [InlineData("++44")]
    [InlineData("abc")]
    [InlineData("+44abc")]
    [InlineData("+44 20 7123 4567")]
    [InlineData("+44-20-7123-4567")]
    [InlineData("4420712345678901234567890123456789")] // 34 digits
    public void An_invalid_number_is_a_failure_with_a_reason(string number)
    {
        var outcome = Nested.Rate(number, Noon, 60, Disposition.Answered);

        Assert.False(outcome.IsRated);
        Assert.Equal(RatingFailure.InvalidNumber, outcome.Failure);
        Assert.Null(outcome.Row);
        Assert.Equal(0m, outcome.Charge);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Reason));
        Assert.Null(Nested.Find(number, Noon));
    }

    [Fact]
    public void The_old_row_applies_until_the_last_second_before_midnight_utc()
    {
        var outcome = Dated.Rate("+441611234567", new DateTimeOffset(2026, 11, 25, 23, 59, 59, TimeSpan.Zero), 60, Disposition.Answered);

        Assert.Equal("United Kingdom old", outcome.Row!.Destination);
        Assert.Equal(0.01m, outcome.Charge);
    }

    [Fact]
    public void The_new_row_applies_from_midnight_utc()
    {
        var outcome = Dated.Rate("+441611234567", new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero), 60, Disposition.Answered);

        Assert.Equal("United Kingdom new", outcome.Row!.Destination);
        Assert.Equal(0.02m, outcome.Charge);
    }

    [Fact]
    public void The_last_tick_before_midnight_is_still_the_old_row()
    {
        var justBefore = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero).AddTicks(-1);

        Assert.Equal("United Kingdom old", Dated.Find("+441611234567", justBefore)!.Destination);
    }

    [Fact]
    public void A_start_time_with_an_offset_is_compared_in_utc()
    {
        // 00:30 at +01:00 is 23:30 UTC the day before: still the old row.
        var beforeInUtc = new DateTimeOffset(2026, 11, 26, 0, 30, 0, TimeSpan.FromHours(1));
        // 23:30 at -01:00 is 00:30 UTC the next day: already the new row.
        var afterInUtc = new DateTimeOffset(2026, 11, 25, 23, 30, 0, TimeSpan.FromHours(-1));

        Assert.Equal("United Kingdom old", Dated.Find("+441611234567", beforeInUtc)!.Destination);
        Assert.Equal("United Kingdom new", Dated.Find("+441611234567", afterInUtc)!.Destination);
    }

    [Fact]
    public void Effective_to_is_exclusive_and_a_shorter_prefix_takes_over()
    {
        var lastSecond = new DateTimeOffset(2026, 11, 30, 23, 59, 59, TimeSpan.Zero);
        var end = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal("4420", Dated.Find("+442071234567", lastSecond)!.Prefix);
        var after = Dated.Find("+442071234567", end)!;
        Assert.Equal("44", after.Prefix);
        Assert.Equal("United Kingdom new", after.Destination);
    }

    [Fact]
    public void Effective_from_is_inclusive_and_a_longer_prefix_not_yet_effective_is_skipped()
    {
        var before = new DateTimeOffset(2026, 10, 31, 23, 59, 59, TimeSpan.Zero);
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal("44", Dated.Find("+442071234567", before)!.Prefix);
        Assert.Equal("4420", Dated.Find("+442071234567", start)!.Prefix);
    }

    [Fact]
    public void A_prefix_with_no_row_effective_at_the_time_does_not_match()
    {
        var deck = Decks.Import(Decks.Header, "33,France,0.02,0,60,60,2026-01-01,2026-02-01");

        Assert.Equal(RatingFailure.NoMatchingPrefix, deck.Rate("+33612345678", new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero), 60, Disposition.Answered).Failure);
        Assert.Equal(RatingFailure.NoMatchingPrefix, deck.Rate("+33612345678", new DateTimeOffset(2025, 12, 31, 23, 59, 59, TimeSpan.Zero), 60, Disposition.Answered).Failure);
        Assert.True(deck.Rate("+33612345678", new DateTimeOffset(2026, 1, 15, 0, 0, 0, TimeSpan.Zero), 60, Disposition.Answered).IsRated);
    }

    [Fact]
    public void Several_rows_of_one_prefix_pick_the_effective_one()
    {
        var deck = Decks.Import(
            Decks.Header,
            "44,Q3,0.03,0,60,60,2026-07-01,2026-10-01",
            "44,Q1,0.01,0,60,60,2026-01-01,2026-04-01",
            "44,Q4,0.04,0,60,60,2026-10-01,",
            "44,Q2,0.02,0,60,60,2026-04-01,2026-07-01");

        Assert.Equal("Q1", deck.Find("44", new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero))!.Destination);
        Assert.Equal("Q2", deck.Find("44", new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero))!.Destination);
        Assert.Equal("Q3", deck.Find("44", new DateTimeOffset(2026, 9, 30, 23, 59, 59, TimeSpan.Zero))!.Destination);
        Assert.Equal("Q4", deck.Find("44", new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero))!.Destination);
        Assert.Null(deck.Find("44", new DateTimeOffset(2025, 12, 31, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void A_deck_built_from_rows_directly_matches_like_an_imported_one()
    {
        var rows = new[]
        {
            new RateDeckRow("1", "North America", new Tariff(0.01m, 0m, 6, 6), null, null, 2),
            new RateDeckRow("1212", "New York", new Tariff(0.005m, 0m, 6, 6), null, null, 3),
        };
        var deck = new RateDeck("manual", rows);

        Assert.Equal("1212", deck.Find("+12125551234", Noon)!.Prefix);
        Assert.Equal("1", deck.Find("+13125551234", Noon)!.Prefix);
        Assert.Same(rows, deck.Rows);
    }

    [Fact]
    public void A_deck_needs_an_id()
    {
        Assert.ThrowsAny<ArgumentException>(() => new RateDeck(" ", []));
    }

    [Fact]
    public void An_empty_deck_matches_nothing()
    {
        var deck = new RateDeck("empty", []);

        Assert.Equal(RatingFailure.NoMatchingPrefix, deck.Rate("+44", Noon, 60, Disposition.Answered).Failure);
    }

    [Fact]
    public void IsEffectiveAt_includes_the_start_and_excludes_the_end()
    {
        var row = new RateDeckRow("44", "UK", new Tariff(0.01m, 0m, 60, 60), new DateOnly(2026, 1, 1), new DateOnly(2026, 2, 1), 2);

        Assert.False(row.IsEffectiveAt(new DateTimeOffset(2025, 12, 31, 23, 59, 59, TimeSpan.Zero)));
        Assert.True(row.IsEffectiveAt(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.True(row.IsEffectiveAt(new DateTimeOffset(2026, 1, 1, 0, 30, 0, TimeSpan.FromHours(-1)).AddHours(-1)));
        Assert.False(row.IsEffectiveAt(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.False(row.IsEffectiveAt(new DateTimeOffset(2026, 2, 1, 0, 30, 0, TimeSpan.FromHours(1)).AddHours(1)));
    }
}
