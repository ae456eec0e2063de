using System.Globalization;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.LoadBench.Calls;
using ServerlessBilling.LoadBench.Infrastructure;
using ServerlessBilling.LoadBench.Stores;

namespace ServerlessBilling.LoadBench.Scenarios;

/// <summary>
/// <c>core --alloc</c>: the bytes a pair allocates, part by part, on one thread. The parts are the service's own steps
/// taken one at a time (session index, store read and conditional write, deck cache, the rules and their pieces), then
/// whole pairs through the service with and without the bench's timed decorator and the change stream, so that what
/// the service adds around the parts (deadline, updater, awaits) and what the bench adds are told apart.
/// </summary>
internal static class CoreAllocations
{
    private const int Pairs = 20_000;

    private static readonly string[] Rows =
    [
        "bench: session id + 2 requests", "session index: claim", "store: read (x2)", "deck cache: get",
        "  authorize: fingerprint (made once, stored on the session)", "  authorize: rate/lookup destination",
        "  authorize: SessionMap.SetItem (new id)", "  authorize: SessionBook.With (map included)", "  authorize: AccountState.WithSession (book included)",
        "  authorize: one Session record", "  authorize: one GrantAnswer", "authorize rule (all of it)",
        "publish (revision stamp)", "store: conditional write (x2)", "session index: find",
        "  terminate: PeriodBook.Add (period totals)", "  terminate: SpendHistory.Add", "  terminate: SessionBook.With (closing, oldest leaves)",
        "  terminate: one TerminateAnswer", "  terminate: AccountState.Settle (all of the above + copy)", "terminate rule (all of it)",
        "session index: record closed",
    ];

    public static async Task<Table> ProfileAsync(int accountCount, CancellationToken ct)
    {
        var options = new CreditControlOptions();
        var clock = TimeProvider.System;
        var inner = new InMemoryAccountStore();
        var index = new InMemorySessionIndex();
        var decks = new RateDeckCache(new InMemoryRateDeckStore(), clock);
        var admin = new AccountService(inner, new AccountUpdater(inner, new AccountWriteOptions()), new InMemoryTopUpStore(), decks, options, clock);
        await BenchData.ImportDeckAsync(admin, ct);
        var ids = await BenchData.OpenAsync(admin, "acct-", accountCount, 1, ct);
        var timed = new TimedAccountStore(inner, null);
        var observed = new ObservedAccountStore(inner, new AccountChangeStream());
        var direct = Service(inner, index, decks, options);
        var viaTimed = Service(timed, index, decks, options);
        var viaObserved = Service(observed, index, decks, options);
        var rules = new CreditControlRules(options);
        var benchLoop = Calls.Pairs.Operation(viaTimed, ids, 1, "b", new PairStats());

        // Steady state first: every document holds its retained closed sessions, as in a long run.
        long sequence = 0;
        for (var i = 0; i < accountCount * (options.ClosedSessionsKept + 10); i++)
        {
            await benchLoop(0, sequence++);
        }

        var bytes = new Dictionary<string, long>();
        var order = new List<string>();
        void Add(string part, long allocated)
        {
            if (!bytes.TryAdd(part, allocated))
            {
                bytes[part] += allocated;
            }
            else
            {
                order.Add(part);
            }
        }

        void Sample(string part, long allocated) => Add(part, 2 * allocated);

        static long Now() => GC.GetAllocatedBytesForCurrentThread();
        var deckOnce = (await decks.GetAsync(BenchData.DeckId, ct))!;
        var held = (await inner.ReadForWriteAsync(ids[0], ct))!.Value.Sessions.Values.First();
        var template = held with { Status = SessionStatus.Active, Reserved = 0.008m, GrantedSeconds = 60, ClosedAt = null, TerminateAnswer = null, CommittedCharge = 0m, UsedSeconds = 0, ReportedSeconds = 0 };
        for (var round = 0; round < 2; round++)
        {
            bytes.Clear();
            order.Clear();
            foreach (var part in Rows)
            {
                // In this order, whichever pair measures a part first (pieces on odd pairs, rules on even ones).
                Add(part, 0);
            }

            for (var i = 0; i < Pairs; i++)
            {
                var accountId = ids[(int)(sequence % ids.Length)];
                var now = clock.GetUtcNow();
                var t = Now();
                var sessionId = string.Create(CultureInfo.InvariantCulture, $"m0-{sequence++}");
                var authorize = new AuthorizeRequest(sessionId, accountId, BenchData.CallingNumber, BenchData.CalledNumber, null, BenchData.RequestedSeconds);
                var terminate = new TerminateRequest(sessionId, 1, BenchData.UsedSeconds);
                Add("bench: session id + 2 requests", Now() - t);

                t = Now();
                var claim = await index.ClaimNowAsync(sessionId, accountId, ct);
                Add("session index: claim", Now() - t);
                t = Now();
                var read = (await inner.ReadForWriteAsync(accountId, ct))!;
                Add("store: read (x2)", Now() - t);
                t = Now();
                var deck = await decks.GetAsync(read.Value.Settings.RateDeckId, ct);
                Add("deck cache: get", Now() - t);
                t = Now();
                _ = authorize.Fingerprint;
                Add("  authorize: fingerprint (made once, stored on the session)", Now() - t);
                t = Now();
                _ = deckOnce.Find(BenchData.CalledNumber, now);
                Add("  authorize: rate/lookup destination", Now() - t);
                if (i % 2 == 1)
                {
                    // Pieces on odd pairs only, measured before the rule (a new id takes the next slot of the sessions' shared
                    // tail chunk, which a second map derived from one version copies: one of them per pair), the rule on even pairs.
                    var piece = template with { SessionId = sessionId };
                    t = Now();
                    if (i % 6 == 1)
                    {
                        _ = read.Value.Sessions.SetItem(sessionId, piece);
                        Add("  authorize: SessionMap.SetItem (new id)", 3 * (Now() - t));
                    }
                    else if (i % 6 == 3)
                    {
                        _ = read.Value.SessionBook.With(piece);
                        Add("  authorize: SessionBook.With (map included)", 3 * (Now() - t));
                    }
                    else
                    {
                        _ = read.Value.WithSession(piece);
                        Add("  authorize: AccountState.WithSession (book included)", 3 * (Now() - t));
                    }

                    t = Now();
                    _ = piece with { };
                    Sample("  authorize: one Session record", Now() - t);
                    t = Now();
                    _ = piece.AuthorizeAnswer with { };
                    Sample("  authorize: one GrantAnswer", Now() - t);
                }

                t = Now();
                var granted = rules.Authorize(read.Value, deck, authorize, now);
                if (i % 2 == 0)
                {
                    Sample("authorize rule (all of it)", Now() - t);
                }
                t = Now();
                var next = granted.Next!.Publish(read.Value.Revision + 1, read.Value);
                Add("publish (revision stamp)", Now() - t);
                t = Now();
                _ = await inner.TryReplaceNowAsync(next, read.ETag, ct) ?? throw new InvalidOperationException("conflict in the profile");
                Add("store: conditional write (x2)", Now() - t);
                _ = claim;

                t = Now();
                var owner = await index.FindAccountNowAsync(sessionId, ct);
                Add("session index: find", Now() - t);
                t = Now();
                read = (await inner.ReadForWriteAsync(owner!, ct))!;
                Add("store: read (x2)", Now() - t);
                if (i % 2 == 1)
                {
                    // Pieces on odd pairs only, measured before the rule (a second window derived from one version copies its chunk),
                    // the rule itself on even pairs.
                    var ending = read.Value.Sessions.GetValueOrDefault(sessionId)!;
                    var line = new ChargeLine(0.0056m, 42, 1, ending.Destination, ending.StartTime);
                    var done = ending with
                    {
                        Status = SessionStatus.Terminated, Reserved = 0m, GrantedSeconds = 0, ClosedAt = now, CommittedCharge = line.Amount,
                        TerminateAnswer = new TerminateAnswer(sessionId, ResultCode.Success, 42, 42, line.Amount, "GBP", 0m),
                    };
                    t = Now();
                    _ = read.Value.PeriodBook.Roll(now, read.Value.Settings).Add(line, read.Value.Settings);
                    Sample("  terminate: PeriodBook.Add (period totals)", Now() - t);
                    t = Now();
                    _ = read.Value.Spend.Add(line.CallStart, line.Amount, now);
                    Sample("  terminate: SpendHistory.Add", Now() - t);
                    // Each of these claims the closed window's next slot, which a second one would copy: one of them per pair.
                    t = Now();
                    if (i % 4 == 1)
                    {
                        _ = read.Value.SessionBook.With(done, options.ClosedSessionsKept, new SessionPass(ending.Status, ending.ExpiresAt, 0m));
                        Add("  terminate: SessionBook.With (closing, oldest leaves)", 4 * (Now() - t));
                    }
                    else
                    {
                        _ = read.Value.Settle(done, line, now, options.ClosedSessionsKept, new SessionPass(ending.Status, ending.ExpiresAt, 0m));
                        Add("  terminate: AccountState.Settle (all of the above + copy)", 4 * (Now() - t));
                    }
                    t = Now();
                    _ = done.TerminateAnswer! with { };
                    Sample("  terminate: one TerminateAnswer", Now() - t);
                }

                t = Now();
                var ended = rules.Terminate(read.Value, terminate, now);
                if (i % 2 == 0)
                {
                    Sample("terminate rule (all of it)", Now() - t);
                }
                t = Now();
                var closed = new ClosedSession(owner!, ended.Next!.Sessions.GetValueOrDefault(sessionId)!);
                await index.RecordClosedAsync(closed, ct);
                Add("session index: record closed", Now() - t);
                t = Now();
                next = ended.Next!.Publish(read.Value.Revision + 1, read.Value);
                Add("publish (revision stamp)", Now() - t);
                t = Now();
                _ = await inner.TryReplaceNowAsync(next, read.ETag, ct) ?? throw new InvalidOperationException("conflict in the profile");
                Add("store: conditional write (x2)", Now() - t);
            }
        }

        var parts = bytes.Where(p => !p.Key.StartsWith(' ')).Sum(p => p.Value);
        var (servicePair, timedPair, observedPair) = await MeasureAsync([direct, viaTimed, viaObserved], ids, () => sequence++, ct);
        // The bench's own loop: bytes, and the process's CPU time (collections included) per pair, median of five rounds.
        long loopBytes = 0;
        var cpuUs = new List<double>();
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        for (var round = 0; round < 6; round++)
        {
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var t = Now();
            for (var i = 0; i < Pairs; i++)
            {
                await benchLoop(0, sequence++);
            }

            loopBytes = Now() - t;
            process.Refresh();
            if (round > 0)
            {
                cpuUs.Add((process.TotalProcessorTime - cpu).TotalMicroseconds / Pairs);
            }
        }

        cpuUs.Sort();

        var table = new Table("core - bytes allocated per pair (--alloc), 1 thread, mean of " + Fmt.N0(Pairs) + " pairs on " + Fmt.N0(accountCount) + " accounts", "part", "B per pair");
        foreach (var part in order)
        {
            table.Add(part, Fmt.N0((double)bytes[part] / Pairs));
        }

        table.Add("sum of the parts above (without the indented pieces)", Fmt.N0((double)parts / Pairs));
        table.Add("service around the parts (deadline, updater, awaits, outcome)", Fmt.N0(((double)servicePair - parts) / Pairs));
        table.Add("pair through CreditControlService (no decorator)", Fmt.N0((double)servicePair / Pairs));
        table.Add("change stream (ObservedAccountStore, as the local host has it)", Fmt.N0(((double)observedPair - servicePair) / Pairs));
        table.Add("bench's timed decorator (TimedAccountStore, no clock)", Fmt.N0(((double)timedPair - servicePair) / Pairs));
        table.Add("bench's pair operation (as 'core' runs it: decorator, ids, requests)", Fmt.N0((double)loopBytes / Pairs));
        table.Add("process CPU us per pair, bench's pair operation (median of 5 x " + Fmt.N0(Pairs) + "; collections included)", Fmt.N2(cpuUs[cpuUs.Count / 2]));
        table.Note("Indented rows are pieces of the row below them. Each document holds its retained closed sessions (CreditControl:ClosedSessionsKept).");
        return table;
    }

    private static CreditControlService Service(IAccountStore store, ISessionIndex index, RateDeckCache decks, CreditControlOptions options) =>
        new(store, new AccountUpdater(store, new AccountWriteOptions()), index, decks, TimeProvider.System, options);

    /// <summary>
    /// Bytes of <see cref="Pairs"/> pairs through each service, requests made beforehand, the services taking turns pair by pair
    /// (so that each sees documents alike); the second of two rounds.
    /// </summary>
    private static async Task<(long, long, long)> MeasureAsync(CreditControlService[] services, string[] ids, Func<long> next, CancellationToken ct)
    {
        var allocated = new long[services.Length];
        for (var round = 0; round < 2; round++)
        {
            Array.Clear(allocated);
            var requests = new (AuthorizeRequest, TerminateRequest)[Pairs * services.Length];
            for (var i = 0; i < requests.Length; i++)
            {
                var n = next();
                var sessionId = string.Create(CultureInfo.InvariantCulture, $"s-{n}");
                requests[i] = (
                    new AuthorizeRequest(sessionId, ids[(int)(n % ids.Length)], BenchData.CallingNumber, BenchData.CalledNumber, null, BenchData.RequestedSeconds),
                    new TerminateRequest(sessionId, 1, BenchData.UsedSeconds));
            }

            for (var i = 0; i < requests.Length; i++)
            {
                var (authorize, terminate) = requests[i];
                var service = services[i % services.Length];
                var t = GC.GetAllocatedBytesForCurrentThread();
                _ = (await service.AuthorizeAsync(authorize, ct)).Answer ?? throw new InvalidOperationException("authorize refused in the profile");
                _ = (await service.TerminateAsync(terminate, ct)).Answer ?? throw new InvalidOperationException("terminate refused in the profile");
                allocated[i % services.Length] += GC.GetAllocatedBytesForCurrentThread() - t;
            }
        }

        return (allocated[0], allocated[1], allocated[2]);
    }
}
