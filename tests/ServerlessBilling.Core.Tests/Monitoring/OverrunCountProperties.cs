using System.Globalization;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Monitoring;

/// <summary>
/// The overruns an account document's session book counts as its sessions change against the walk over its sessions
/// that the monitoring rules used to make: the same count after every step (sessions stored with any status and overrun,
/// passing through another state within the step, closed ones leaving beyond a bound, the sweep's tidying, the document
/// read back from its JSON or given its sessions whole), and the same overrun alerts, in the same order, from the rules.
/// </summary>
public sealed class OverrunCountProperties
{
    private static readonly Session Template = Accounts.SessionMapProperties.Template with { ExpiresAt = Fixtures.Now.AddMinutes(5) };

    /// <summary>
    /// Each step is one int (any, not only small ones): which earlier version to continue from, what to do (store a
    /// session, store one that passed through an active state, tidy, read back from JSON, set the sessions whole), the
    /// session's id, status, overrun and closing time, and how many closed sessions the book keeps. Every third step the
    /// rules judge the version, knowing some of its overrun alerts already.
    /// </summary>
    [Property(MaxTest = 300)]
    public Property The_counted_overruns_are_those_a_walk_over_the_sessions_finds() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ListOf().Where(l => l.Count < 80).ToArbitrary(), steps => Check(steps));

    private static Property Check(IReadOnlyList<int> steps)
    {
        var versions = new List<AccountState> { AccountState.Open("acc", Fixtures.Postpaid(1_000m, hard: false), 0m, Fixtures.Now) };
        foreach (var step in steps)
        {
            var value = step;
            int Next(int range)
            {
                var part = value % range;
                value /= range;
                return part;
            }

            var from = Next(7) == 0 ? step % versions.Count : versions.Count - 1;
            var account = versions[from];
            var session = Template with
            {
                SessionId = "s-" + Next(23).ToString(CultureInfo.InvariantCulture),
                Status = Next(3) switch { 0 => SessionStatus.Active, 1 => SessionStatus.Terminated, _ => SessionStatus.Expired },
                OverrunSeconds = Next(2) == 0 ? Next(90) : 0,
                ClosedAt = Fixtures.Now.AddHours(-Next(5)),
            };
            var closedKept = Next(4) == 0 ? int.MaxValue : 1 + Next(6);
            account = Next(13) switch
            {
                < 7 => account.WithSession(session, closedKept),
                < 9 when account.Sessions.GetValueOrDefault(session.SessionId)?.Status != SessionStatus.Terminated =>
                    account.WithSession(session, closedKept, session with { Status = SessionStatus.Active }),
                < 9 => account.WithSession(session, closedKept),
                9 => account.Tidy(Fixtures.Now, TimeSpan.FromHours(2)),
                10 or 11 => JsonSerializer.Deserialize<AccountState>(JsonSerializer.Serialize(account, StoredJson.Options), StoredJson.Options)!,
                _ => account with { Sessions = account.Sessions.SetItem(session.SessionId, session) },
            };
            versions.Add(account);

            var walked = account.Sessions.Values.Count(s => s is { Status: SessionStatus.Terminated, OverrunSeconds: > 0 });
            if (account.SessionBook.OverrunCount != walked)
            {
                return false.Label($"step {versions.Count - 1}: counted {account.SessionBook.OverrunCount}, walked {walked}");
            }

            if (step % 3 == 0 && !SameAlertsAsTheWalk(account, step))
            {
                return false.Label($"step {versions.Count - 1}: the overrun alerts differ from the walk's");
            }
        }

        return true.ToProperty();
    }

    [Fact]
    public void A_book_counts_a_terminated_session_with_an_overrun_until_it_leaves_and_not_once_more_when_stored_again()
    {
        var account = AccountState.Open("acc", Fixtures.Postpaid(1_000m, hard: false), 0m, Fixtures.Now);
        var over = Template with { SessionId = "over", Status = SessionStatus.Terminated, OverrunSeconds = 30 };

        account = account.WithSession(Template with { SessionId = "over" }).WithSession(over, closedKept: 2);
        Assert.Equal(1, account.SessionBook.OverrunCount);
        Assert.Equal(1, account.WithSession(over, closedKept: 2).SessionBook.OverrunCount);

        // Two more closed sessions: the oldest closed, the overrun, leaves the book, and the count with it; a note of it
        // stays, so a monitor that first sees this version still alerts it.
        account = account.WithSession(Template with { SessionId = "a", Status = SessionStatus.Terminated }, closedKept: 2);
        Assert.Equal(1, account.SessionBook.OverrunCount);
        account = account.WithSession(Template with { SessionId = "b", Status = SessionStatus.Terminated }, closedKept: 2);
        Assert.Equal(0, account.SessionBook.OverrunCount);
        Assert.False(account.Sessions.ContainsKey("over"));
        Assert.Equal([new OverrunNote("over", 30, 0, 0, null)], account.PastOverruns!);
        var alert = Assert.Single(MonitorRules.Judge(account, Fixtures.Now).Alerts, a => a.Type == AlertType.GrantOverrun);
        Assert.Equal("session 'over' reported 30 s beyond its grants (0 s in all, 0 s charged)", alert.Message);
        Assert.DoesNotContain(MonitorRules.Judge(account, Fixtures.Now, [alert.AlertId]).Alerts, a => a.Type == AlertType.GrantOverrun);
    }

    [Fact]
    public void A_book_keeps_the_newest_past_overruns_for_the_retention_and_writes_none_when_it_has_none()
    {
        var account = AccountState.Open("acc", Fixtures.Postpaid(1_000m, hard: false), 0m, Fixtures.Now);
        Assert.DoesNotContain("pastOverruns", JsonSerializer.Serialize(account, StoredJson.Options), StringComparison.Ordinal);
        for (var i = 0; i < SessionBook.PastOverrunsKept + 5; i++)
        {
            var id = "over-" + i.ToString("D2", CultureInfo.InvariantCulture);
            account = account.WithSession(Template with { SessionId = id, Status = SessionStatus.Terminated, OverrunSeconds = i + 1, ClosedAt = Fixtures.Now.AddMinutes(i) }, closedKept: 1);
        }

        // Each pushed the one before out: 24 left, the newest 20 noted, oldest first.
        Assert.Equal(Enumerable.Range(4, SessionBook.PastOverrunsKept).Select(i => "over-" + i.ToString("D2", CultureInfo.InvariantCulture)), account.PastOverruns!.Select(n => n.SessionId));
        var read = JsonSerializer.Deserialize<AccountState>(JsonSerializer.Serialize(account, StoredJson.Options), StoredJson.Options)!;
        Assert.Equal(JsonSerializer.Serialize(account, StoredJson.Options), JsonSerializer.Serialize(read, StoredJson.Options));
        Assert.Equal(account.PastOverruns, read.PastOverruns);
        Assert.Equal(SessionBook.PastOverrunsKept + 1, MonitorRules.Judge(read, Fixtures.Now).Alerts.Count(a => a.Type == AlertType.GrantOverrun));

        // The sweep's tidying drops the notes of sessions closed longer ago than the retention.
        var tidied = account.Tidy(Fixtures.Now.AddMinutes(20), TimeSpan.FromMinutes(10));
        Assert.Equal(Enumerable.Range(11, 13).Select(i => "over-" + i.ToString("D2", CultureInfo.InvariantCulture)), tidied.PastOverruns!.Select(n => n.SessionId));
        Assert.Null(account.Tidy(Fixtures.Now.AddDays(1), TimeSpan.FromMinutes(10)).PastOverruns);
        Assert.DoesNotContain("pastOverruns", JsonSerializer.Serialize(account.Tidy(Fixtures.Now.AddDays(1), TimeSpan.FromMinutes(10)), StoredJson.Options), StringComparison.Ordinal);
    }

    [Fact]
    public void Books_with_the_same_sessions_are_equal_whether_they_have_counted_their_overruns_or_not()
    {
        var account = AccountState.Open("acc", Fixtures.Postpaid(1_000m, hard: false), 0m, Fixtures.Now)
            .WithSession(Template with { SessionId = "over", Status = SessionStatus.Terminated, OverrunSeconds = 30 });
        var given = account with { Sessions = account.Sessions };

        Assert.Equal(account.SessionBook, given.SessionBook);
        Assert.Equal(account, given);
        Assert.Equal(account.GetHashCode(), given.GetHashCode());
    }

    /// <summary>The rules' overrun alerts for the document, knowing some of them, against those a walk over its sessions in id order gives.</summary>
    private static bool SameAlertsAsTheWalk(AccountState account, int seed)
    {
        var all = OverrunAlerts(MonitorRules.Judge(account, Fixtures.Now));
        var random = new Random(seed);
        var known = all.Where(_ => random.Next(3) == 0).Select(a => a.AlertId).ToList();
        var overruns = account.Sessions.Values.Where(s => s is { Status: SessionStatus.Terminated, OverrunSeconds: > 0 }).ToList();
        var expected = overruns
            .Select(s => $"session '{s.SessionId}' reported {s.OverrunSeconds} s beyond its grants ({s.ReportedSeconds} s in all, {s.UsedSeconds} s charged)")
            .Concat((account.PastOverruns ?? []).Where(n => !overruns.Exists(s => s.SessionId == n.SessionId)).DistinctBy(n => n.SessionId)
                .Select(n => $"session '{n.SessionId}' reported {n.OverrunSeconds} s beyond its grants ({n.ReportedSeconds} s in all, {n.UsedSeconds} s charged)"))
            .ToList();
        var judged = OverrunAlerts(MonitorRules.Judge(account, Fixtures.Now, known));
        return all.Select(a => a.Message).SequenceEqual(expected)
            && judged.Select(a => a.AlertId).SequenceEqual(all.Select(a => a.AlertId).Except(known));
    }

    private static List<Alert> OverrunAlerts(MonitorVerdict verdict) => verdict.Alerts.Where(a => a.Type == AlertType.GrantOverrun).ToList();
}
