using ServerlessBilling.Core.Invoicing;

namespace ServerlessBilling.Core.Tests.Invoicing;

public sealed class InvoiceCounterTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);

    private static InvoiceCounter New() => new() { Series = InvoiceIds.InvoiceSeries, Year = 2026 };

    [Fact]
    public void Reserving_an_id_twice_gives_the_same_number()
    {
        var (once, first) = New().Reserve("a.2026-10", At);
        var (twice, second) = once.Reserve("a.2026-10", At.AddHours(1));

        Assert.Same(once, twice);
        Assert.Equal(first, second);
        Assert.Equal(("INV-2026-000001", 2L), (first.Number, once.Next));
    }

    [Fact]
    public void Completing_confirms_and_forgets_the_assignment()
    {
        var (counter, reservation) = New().Reserve("a.2026-10", At);
        var done = counter.Complete("a.2026-10", reservation.Sequence);

        Assert.Empty(done.Pending);
        Assert.Equal(2, done.Next);
        Assert.Same(done, done.Complete("a.2026-10", reservation.Sequence));
    }

    [Fact]
    public void Releasing_the_last_number_steps_the_counter_back()
    {
        var (counter, reservation) = New().Reserve("a.2026-10", At);

        var released = counter.Release("a.2026-10", reservation.Sequence);

        Assert.Equal((1L, 0, 0), (released.Next, released.Pending.Count, released.Spare.Count));
    }

    [Fact]
    public void A_number_released_behind_later_ones_is_the_next_one_handed_out()
    {
        var (one, a) = New().Reserve("a.2026-10", At);
        var (two, _) = one.Reserve("b.2026-10", At);

        var released = two.Release("a.2026-10", a.Sequence);
        var (after, c) = released.Reserve("c.2026-10", At);

        Assert.Equal([1L], released.Spare);
        Assert.Equal((1L, 3L), (c.Sequence, after.Next));
        Assert.Empty(after.Spare);
    }

    [Fact]
    public void Releasing_a_number_the_id_does_not_hold_changes_nothing()
    {
        var (counter, _) = New().Reserve("a.2026-10", At);
        Assert.Same(counter, counter.Release("a.2026-10", 7));
        Assert.Same(counter, counter.Release("b.2026-10", 1));
    }

    [Theory]
    [InlineData("acme.2026-10", "acme", "2026-10")]
    [InlineData("acme.ltd.2026-01", "acme.ltd", "2026-01")]
    public void Invoice_ids_name_their_account_and_period(string id, string account, string period)
    {
        Assert.True(InvoiceIds.TryParse(id, out var a, out var p));
        Assert.Equal((account, period, id), (a, p, InvoiceIds.For(a, p)));
    }

    [Theory]
    [InlineData("acme")]
    [InlineData("acme-2026-10")]
    [InlineData("acme.2026-13")]
    [InlineData(".2026-10")]
    [InlineData("a/b.2026-10")]
    public void Other_ids_are_not_invoice_ids(string id) => Assert.False(InvoiceIds.TryParse(id, out _, out _));
}
