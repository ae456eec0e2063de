using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Core;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>
/// Round twenty-seven of the hostile review, on the durable store across restarts. SQLite answers credit control's reads
/// from memory and writes only the rows a step changed, so a row written wrong would show only after a restart. Here the
/// same random run of a buggy switch and a careless operator (authorizes, replays with other fields, interims and
/// terminates with numbers that skip or repeat, CDRs racing terminates, top-ups and their replays, suspensions, sweeps
/// after time passed, sessions pushed out of the document into the history) goes to the memory store and to SQLite, with
/// the file closed and opened again between random steps: every answer and every account document must be the same,
/// and the file must hold what the process knew. With faults, the disk fails (a transaction of the writer rolls back, as
/// on an I/O error) at random steps, one to three times, and the step is sent again until it is answered, as a switch
/// or the CDR mediation does after a 503: it must then leave what the memory store's one delivery left. The run with
/// faults found a CDR's charge lost (a CDR that closed a session dropped into the history, whose write failed, was taken
/// on its redelivery as already charged: see HostileRoundTwentySevenSqliteFaultTests).
/// </summary>
public sealed class HostileRoundTwentySevenSqliteRestartTests : IDisposable
{
    private static readonly CreditControlOptions Options = new() { ClosedSessionsKept = 3, ClosedSessionRetention = TimeSpan.FromMinutes(30) };
    private static readonly string[] Accounts = ["r27-a", "r27-b", "r27-c"];
    private static readonly string[] Called = ["+447700900123", "+442071234567", "+33612345678", "+999"];

    private readonly TempStore _store = new();
    private readonly FakeTimeProvider _sqliteClock = new(Fixtures.Now);

    private CreditControlHarness OnSqlite()
    {
        var s = _store.Stores;
        return new CreditControlHarness(s.Accounts, s.Sessions, s.Decks, Options, s.Usage, s.Quarantine, s.TopUps, clock: _sqliteClock);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    public async Task A_random_run_restarted_between_random_steps_answers_and_keeps_exactly_what_the_memory_store_does(int seed, bool faults)
    {
        var random = new Random(seed);
        var memoryClock = new FakeTimeProvider(Fixtures.Now);
        var memory = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), Options, clock: memoryClock);
        var sqlite = OnSqlite();
        foreach (var h in new[] { memory, sqlite })
        {
            await h.OpenAsync("r27-a", Fixtures.Prepaid("r27"), 300m);
            await h.OpenAsync("r27-b", Fixtures.Postpaid(200m, hard: true, "r27"), 0m);
            await h.OpenAsync("r27-c", Fixtures.Prepaid("r27"), 30m);
        }

        var run = new Run(random);
        var restarts = 0;
        var faulted = 0;
        for (var step = 0; step < 800; step++)
        {
            var op = run.Next();
            if (op.Restart)
            {
                await RetriedAsync(() => _store.Database.WriteAsync(_ => 0, default)); // a disk failing across the restart is another matter
                _store.Reopen();
                sqlite = OnSqlite();
                restarts++;
                continue;
            }

            if (op.Advance > TimeSpan.Zero)
            {
                memoryClock.Advance(op.Advance);
                _sqliteClock.Advance(op.Advance);
            }

            var expected = await op.Apply(memory);
            if (faults && random.Next(3) == 0)
            {
                FailTheDisk(1 + random.Next(3));
            }

            var (actual, failures) = await RetriedAsync(() => op.Apply(sqlite));
            faulted += failures > 0 ? 1 : 0;

            // A sweep sent again answers how many accounts it released itself: the first may have released some.
            Assert.True(expected == actual || (failures > 0 && op.Advance > TimeSpan.Zero), $"step {step} {op.What} (after {failures} faults):\nmemory {expected}\nsqlite {actual}");
            run.Learn(op, expected);
            foreach (var account in Accounts)
            {
                Assert.True(await DocumentAsync(memory, account) == await DocumentAsync(sqlite, account), $"step {step} {op.What}: account {account} differs");
            }
        }

        Assert.True(restarts > 10 && run.Closed > 50 && (!faults || faulted > 50), $"{restarts} restarts, {run.Closed} sessions closed, {faulted} steps faulted: the run did too little");
        var known = new List<string>();
        foreach (var account in Accounts)
        {
            known.Add(await DocumentAsync(sqlite, account));
        }

        _store.Reopen();
        sqlite = OnSqlite();
        for (var i = 0; i < Accounts.Length; i++)
        {
            Assert.Equal(known[i], await DocumentAsync(sqlite, Accounts[i]));
            Fixtures.AssertConserved(await sqlite.StateAsync(Accounts[i]));
        }
    }

    /// <summary>The writer's next <paramref name="times"/> transactions roll back on a disk error (a write queued ahead of the others, as a claim is).</summary>
    private void FailTheDisk(int times) => _store.Database.WriteBefore(
        _ =>
        {
            if (times-- > 0)
            {
                throw new Microsoft.Data.Sqlite.SqliteException("disk I/O error (simulated)", 10);
            }
        },
        () => { });

    /// <summary>Sends <paramref name="send"/> until the store answers (each fault is a 503 to the sender); the answer and how many faults came first.</summary>
    private static async Task<(T Answer, int Faults)> RetriedAsync<T>(Func<Task<T>> send)
    {
        for (var faults = 0; ; faults++)
        {
            try
            {
                return (await send(), faults);
            }
            catch (StoreUnavailableException) when (faults < 100)
            {
            }
        }
    }

    private static async Task<string> DocumentAsync(CreditControlHarness h, string account) => JsonSerializer.Serialize(await h.StateAsync(account), StoredJson.Options);

    private static string Show<T>(Outcome<T> outcome)
        where T : class =>
        outcome.Error is { } e ? $"{e.Kind}: {e.Detail}" : JsonSerializer.Serialize(outcome.Answer, StoredJson.Options);

    /// <summary>One step of the run, applied alike to each store.</summary>
    private sealed record Op(string What, Func<CreditControlHarness, Task<string>> Apply, string? Session = null, int Number = 0, bool Restart = false, TimeSpan Advance = default);

    /// <summary>The random run: mostly what a switch does, with its mistakes; which step comes depends on the answers so far.</summary>
    private sealed class Run(Random random)
    {
        private readonly List<string> _sessions = [];
        private readonly List<string> _granted = [];
        private readonly Dictionary<string, string> _owners = [];
        private readonly Dictionary<string, int> _numbers = [];
        private int _cdrs;

        public int Closed { get; private set; }

        public Op Next()
        {
            var roll = random.Next(100);
            var account = Accounts[random.Next(Accounts.Length)];
            if (roll < 25)
            {
                string session;
                if (_sessions.Count == 0 || random.Next(10) < 7)
                {
                    session = $"r27-s{_sessions.Count}";
                    _sessions.Add(session);
                    _owners[session] = account;
                }
                else
                {
                    session = Recent(_sessions);
                    account = random.Next(10) < 8 ? _owners[session] : account; // a replay, now and then with another account
                }

                var called = Called[random.Next(Called.Length)];
                int? seconds = random.Next(5) switch { 0 => null, 1 => 0, 2 => 30, 3 => 60, _ => 300 };
                return new($"authorize {session} {account} {called} {seconds}", async h => Show(await h.CreditControl.AuthorizeAsync(new AuthorizeRequest(session, account, "+441", called, null, seconds), default)));
            }

            if (roll < 60)
            {
                var session = _granted.Count > 0 && random.Next(10) < 8 ? Recent(_granted) : Recent(_sessions.Count > 0 ? _sessions : ["r27-none"]);
                var number = _numbers.GetValueOrDefault(session) + (random.Next(6) == 0 ? random.Next(3) : 1); // skips and repeats
                if (roll < 45)
                {
                    var used = random.Next(5) == 0 ? random.Next(2000) : random.Next(120);
                    int? seconds = random.Next(4) switch { 0 => null, 1 => 0, _ => 60 };
                    return new($"interim {session} #{number} {used} {seconds}", async h => Show(await h.InterimAsync(session, number, used, seconds)), session, number);
                }

                var last = random.Next(200);
                return new($"terminate {session} #{number} {last}", async h => Show(await h.TerminateAsync(session, number, last)), session, -number);
            }

            if (roll < 72)
            {
                var id = random.Next(4) == 0 && _cdrs > 0 ? $"r27-c{random.Next(_cdrs)}" : $"r27-c{_cdrs++}"; // a redelivery now and then
                var session = _sessions.Count > 0 && random.Next(3) != 0 ? Recent(_sessions) : "";
                account = session.Length > 0 && random.Next(5) != 0 ? _owners[session] : account;
                var csv = $"{Fixtures.CdrHeader}\n{id},{account},+441,{Called[random.Next(3)]},{Fixtures.Now.AddMinutes(random.Next(-60, 60)):O},{random.Next(400)},ANSWERED,{session}\n";
                return new($"cdr {id} {account} {session}", async h =>
                {
                    var result = await h.IngestCsvAsync(csv);
                    return $"{result.Accepted} {result.Duplicates} {string.Join(";", result.Quarantined.Select(q => q.Reason))}";
                });
            }

            if (roll < 78)
            {
                var topUp = $"r27-t{random.Next(30)}";
                var amount = random.Next(1, 50);
                return new($"top-up {account} {topUp} {amount}", async h => Show(await h.Admin.TopUpAsync(new TopUpRequest(account, topUp, amount), default)));
            }

            if (roll < 90)
            {
                var advance = TimeSpan.FromSeconds(random.Next(5) == 0 ? random.Next(3600) : random.Next(200));
                return new($"sweep after {advance}", async h => (await h.CreditControl.ReleaseExpiredAsync(default)).ToString(System.Globalization.CultureInfo.InvariantCulture), Advance: advance);
            }

            if (roll < 93)
            {
                return random.Next(4) == 0
                    ? new($"suspend {account}", async h => Show(await h.Admin.SuspendAsync(account, "hostile round 27", byPolicy: false, default)))
                    : new($"resume {account}", async h => Show(await h.Admin.ResumeAsync(account, default)));
            }

            return new("restart", _ => Task.FromResult(""), Restart: true);
        }

        /// <summary>What the memory store's answer to <paramref name="op"/> says about the calls.</summary>
        public void Learn(Op op, string answer)
        {
            var answered = answer.StartsWith('{'); // an answer, not an error
            if (op.What.StartsWith("authorize", StringComparison.Ordinal) && answer.Contains("\"resultCode\":\"success\"", StringComparison.Ordinal))
            {
                var session = op.What.Split(' ')[1];
                if (!_granted.Contains(session))
                {
                    _granted.Add(session);
                }
            }
            else if (op.Session is { } session && op.Number > 0 && answered)
            {
                _numbers[session] = op.Number;
            }
            else if (op.Session is not null && op.Number < 0 && answered)
            {
                Closed++;
            }
        }

        private string Recent(List<string> ids) => ids[Math.Max(0, ids.Count - 1 - random.Next(Math.Min(ids.Count, 15)))];
    }

    public void Dispose() => _store.Dispose();
}
