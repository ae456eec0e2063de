using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Accounts;

/// <summary>The sessions part of the account document: the credit they hold, when the sweep must look, and the closed sessions kept.</summary>
public sealed class SessionBookTests
{
    private static readonly DateTimeOffset Now = Fixtures.Now;

    private static Session Active(string id, decimal reserved, int expiresInMinutes) => new()
    {
        SessionId = id,
        Fingerprint = id,
        StartTime = Now,
        Prefix = "33",
        Destination = "France",
        Tariff = new Tariff(0.15m, 0m, 1, 1),
        Reserved = reserved,
        ExpiresAt = Now.AddMinutes(expiresInMinutes),
        AuthorizeAnswer = new GrantAnswer(id, ResultCode.Success, 60, 60, false, reserved, 0.15m, "GBP", null),
    };

    private static Session Closed(Session session, SessionStatus status, int closedMinutesAgo = 0) =>
        session with { Status = status, Reserved = 0m, GrantedSeconds = 0, ClosedAt = Now.AddMinutes(-closedMinutesAgo) };

    [Fact]
    public void An_empty_book_holds_nothing_and_looks_up_ids_ordinally()
    {
        var book = default(SessionBook);

        Assert.Empty(book.Sessions);
        Assert.Empty(book.ClosedOrder);
        Assert.Equal((0m, null, 0, 0), (book.Reserved, book.NextExpiry, book.ClosedCount, book.ActiveCount));
        Assert.False(book.With(Active("abc", 1m, 5)).Sessions.ContainsKey("ABC"));
    }

    [Fact]
    public void The_reserved_total_follows_every_change_of_a_sessions_reservation()
    {
        var book = default(SessionBook).With(Active("a", 1m, 5)).With(Active("b", 0.5m, 5));
        Assert.Equal(1.5m, book.Reserved);

        book = book.With(book.Sessions["a"] with { Reserved = 0.25m });
        Assert.Equal(0.75m, book.Reserved);

        book = book.With(Closed(book.Sessions["b"], SessionStatus.Terminated));
        Assert.Equal(0.25m, book.Reserved);
        Assert.Equal(book.Sessions.Values.Sum(s => s.Reserved), book.Reserved);
        Assert.Equal(1, book.ActiveCount);
    }

    [Fact]
    public void The_next_expiry_is_a_lower_bound_that_only_active_sessions_lower()
    {
        var book = default(SessionBook).With(Active("late", 1m, 30)).With(Active("soon", 1m, 5));
        Assert.Equal(Now.AddMinutes(5), book.NextExpiry);

        // Closing the session that expires first keeps the bound (the sweep makes it exact); a later expiry never raises it.
        book = book.With(Closed(book.Sessions["soon"], SessionStatus.Terminated)).With(Active("later", 1m, 60));
        Assert.Equal(Now.AddMinutes(5), book.NextExpiry);
    }

    [Fact]
    public void A_terminated_session_joins_the_closed_list_once_and_the_oldest_beyond_the_bound_leave()
    {
        var book = default(SessionBook);
        foreach (var id in new[] { "c1", "c2", "c3" })
        {
            book = book.With(Active(id, 1m, 5)).With(Closed(Active(id, 0m, 5), SessionStatus.Terminated), closedKept: 2);
        }

        Assert.Equal(["c2", "c3"], book.ClosedOrder);
        Assert.Equal(2, book.ClosedCount);
        Assert.Equal(["c2", "c3"], book.Sessions.Keys.Order(StringComparer.Ordinal));

        // Storing a terminated session again (a replay's answer) does not count it twice.
        book = book.With(book.Sessions["c3"], closedKept: 2);
        Assert.Equal(["c2", "c3"], book.ClosedOrder);
        Assert.Equal(2, book.ClosedCount);
    }

    [Fact]
    public void An_expired_session_is_not_a_closed_one()
    {
        var book = default(SessionBook).With(Active("e", 1m, 5)).With(Closed(Active("e", 0m, 5), SessionStatus.Expired), closedKept: 0);

        Assert.Empty(book.ClosedOrder);
        Assert.True(book.Sessions.ContainsKey("e"));
    }

    [Fact]
    public void Tidying_drops_expired_sessions_past_the_retention_and_makes_the_next_expiry_exact()
    {
        var retention = TimeSpan.FromHours(1);
        var book = default(SessionBook)
            .With(Active("active", 1m, 10))
            .With(Active("gone", 1m, 1))
            .With(Active("kept", 1m, 1))
            .With(Active("done", 1m, 1));
        book = book
            .With(Closed(book.Sessions["gone"], SessionStatus.Expired, closedMinutesAgo: 61))
            .With(Closed(book.Sessions["kept"], SessionStatus.Expired, closedMinutesAgo: 59))
            .With(Closed(book.Sessions["done"], SessionStatus.Terminated, closedMinutesAgo: 600));

        var tidy = book.Tidy(Now, retention);

        Assert.Equal(["active", "done", "kept"], tidy.Sessions.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Now.AddMinutes(1), tidy.NextExpiry); // "kept" leaves in a minute, before "active" expires
        Assert.Equal(Now.AddMinutes(10), tidy.Tidy(Now.AddMinutes(1), retention).NextExpiry);
        Assert.Null(default(SessionBook).With(Closed(Active("t", 0m, 1), SessionStatus.Terminated)).Tidy(Now, retention).NextExpiry);
    }
}
