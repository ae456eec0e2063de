using System.Collections.Immutable;

namespace ServerlessBilling.Core.Invoicing;

/// <summary>A number assigned to an invoice id, with the issue date the invoice will carry.</summary>
public sealed record NumberReservation(string InvoiceId, string Number, long Sequence, DateTimeOffset IssuedAt);

/// <summary>
/// The counter document of one numbering series ("INV" invoices, "STM" statements) in one issuing year: the next sequence number and the assignments not yet confirmed by
/// a created invoice. Every change is one ETag-conditional write of this document.
///
/// Why numbers are never burnt nor given twice:
/// <list type="number">
/// <item>An invoice id gets its number here first (<see cref="Reserve"/>): <c>Pending[id] = n</c> and
/// <c>Next = n + 1</c> in one conditional write. Asking again for the same id answers the same n, so two runs
/// racing on one invoice agree on its number.</item>
/// <item>Then the invoice is created with n (create, never upsert: a 409 means it exists).</item>
/// <item>Only then is the assignment confirmed (<see cref="Complete"/>: removed from Pending).</item>
/// </list>
/// A run that stops anywhere in between leaves the id in Pending; every run starts by finishing the pending
/// ids (creating what is missing with the reserved number), so a reserved number always ends on its invoice.
/// A new reservation is written only after checking, under the counter's ETag, that the invoice does not exist
/// (<see cref="InvoiceNumbering.ReserveAsync"/>), so a run cannot number an invoice that another run issued and
/// confirmed meanwhile. Should a store's reads lag behind its writes and that happen anyway, the create answers
/// 409 and the number is given back (<see cref="Release"/>): the counter steps back when it was the last
/// number; otherwise the number is kept as spare and the next reservation takes it.
/// </summary>
public sealed record InvoiceCounter
{
    public required string Series { get; init; }

    public required int Year { get; init; }

    /// <summary>The next sequence number to hand out (the first invoice of a year is 1).</summary>
    public long Next { get; init; } = 1;

    public ImmutableSortedDictionary<string, PendingNumber> Pending { get; init; } =
        ImmutableSortedDictionary<string, PendingNumber>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Numbers given back while later ones were already out; handed out again before <see cref="Next"/>.</summary>
    public ImmutableSortedSet<long> Spare { get; init; } = [];

    /// <summary>The counter's document id, e.g. "INV-2026".</summary>
    public static string IdFor(string series, int year) => series + "-" + year.ToString("0000", System.Globalization.CultureInfo.InvariantCulture);

    public string Id => IdFor(Series, Year);

    public NumberReservation? Find(string invoiceId) =>
        Pending.TryGetValue(invoiceId, out var pending) ? pending.For(invoiceId, Series, Year) : null;

    public IEnumerable<NumberReservation> PendingReservations => Pending.Select(p => p.Value.For(p.Key, Series, Year));

    /// <summary>The number of <paramref name="invoiceId"/>: the one already reserved for it, or the lowest free one.</summary>
    public (InvoiceCounter Next, NumberReservation Reservation) Reserve(string invoiceId, DateTimeOffset issuedAt)
    {
        if (Find(invoiceId) is { } known)
        {
            return (this, known);
        }

        var counter = this;
        long sequence;
        if (Spare.Count > 0)
        {
            sequence = Spare.Min;
            counter = counter with { Spare = Spare.Remove(sequence) };
        }
        else
        {
            sequence = Next;
            counter = counter with { Next = Next + 1 };
        }

        var pending = new PendingNumber(sequence, issuedAt);
        return (counter with { Pending = Pending.SetItem(invoiceId, pending) }, pending.For(invoiceId, Series, Year));
    }

    /// <summary>The invoice exists with its reserved number: the assignment is final.</summary>
    public InvoiceCounter Complete(string invoiceId, long sequence) =>
        Pending.TryGetValue(invoiceId, out var pending) && pending.Sequence == sequence ? this with { Pending = Pending.Remove(invoiceId) } : this;

    /// <summary>The id turned out to be numbered already: <paramref name="sequence"/> goes back to the pool.</summary>
    public InvoiceCounter Release(string invoiceId, long sequence)
    {
        if (!Pending.TryGetValue(invoiceId, out var pending) || pending.Sequence != sequence)
        {
            return this;
        }

        var counter = this with { Pending = Pending.Remove(invoiceId) };
        return sequence == Next - 1
            ? counter with { Next = sequence }
            : counter with { Spare = Spare.Add(sequence) };
    }
}

/// <summary>A reserved, not yet confirmed, number.</summary>
public sealed record PendingNumber(long Sequence, DateTimeOffset IssuedAt)
{
    public NumberReservation For(string invoiceId, string series, int year) => new(invoiceId, InvoiceIds.Number(series, year, Sequence), Sequence, IssuedAt);
}
