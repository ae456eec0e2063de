using System.Globalization;
using System.Text;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.EndToEnd.Tests.Sqlite;

/// <summary>
/// The local host as a child process on SQLite, killed with SIGKILL at awkward moments and started again on the
/// same file: what it acknowledged is kept, and replaying what the switch sent gives the same money as one clean pass.
/// </summary>
public sealed class SqliteCrashTests : IDisposable
{
    private const string Header = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id";
    private const int Accounts = 20;
    private const int Batches = 30;
    private const int CdrsPerBatch = 400;
    private const decimal Opening = 100_000m;

    private static readonly string[] Called = ["+447700900123", "+442071234567", "+33612345678", "+33145678901", "+12125551234", "+999000"];

    private readonly TempFolder _data = new();

    private static string AccountId(int i) => $"crash-{i:00}";

    /// <summary>Batches as a switch would send them: every account in every batch, a few unanswered calls and a few unrated destinations.</summary>
    private static List<(string Csv, List<string[]> Lines)> MakeBatches()
    {
        var batches = new List<(string, List<string[]>)>();
        for (var b = 0; b < Batches; b++)
        {
            var csv = new StringBuilder(Header).Append('\n');
            var lines = new List<string[]>();
            for (var i = 0; i < CdrsPerBatch; i++)
            {
                var n = (b * CdrsPerBatch) + i;
                string[] fields =
                [
                    $"k-{n}", AccountId(n % Accounts), "+441234567890", Called[n % 7 == 3 ? 5 : n % 5],
                    new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero).AddSeconds(n).ToString("O", CultureInfo.InvariantCulture),
                    ((n * 37) % 900).ToString(CultureInfo.InvariantCulture), n % 11 == 10 ? "NO_ANSWER" : "ANSWERED", "",
                ];
                lines.Add(fields);
                csv.AppendJoin(',', fields).Append('\n');
            }

            batches.Add((csv.ToString(), lines));
        }

        return batches;
    }

    /// <summary>Sends the batches four at a time, kills the host after a few are acknowledged, starts it again and replays every batch.</summary>
    private async Task<(LocalProcess Host, List<(string Csv, List<string[]> Lines)> Batches)> KillMidIngestionAndReplayAsync()
    {
        var batches = MakeBatches();
        await using (var host = await LocalProcess.StartAsync(_data.Path))
        {
            for (var a = 0; a < Accounts; a++)
            {
                await host.Client.PutPrepaidAsync(AccountId(a), Opening);
            }

            var acknowledged = 0;
            using var killed = new CancellationTokenSource();
            var senders = Enumerable.Range(0, 4).Select(lane => Task.Run(async () =>
            {
                for (var b = lane; b < Batches && !killed.IsCancellationRequested; b += 4)
                {
                    try
                    {
                        await host.Client.PostCsvAsync(batches[b].Csv);
                        Interlocked.Increment(ref acknowledged);
                    }
                    catch (HttpRequestException)
                    {
                        return; // the host is gone
                    }
                }
            })).ToList();
            while (Volatile.Read(ref acknowledged) < 6)
            {
                await Task.Delay(5);
            }

            await host.KillAsync();
            killed.Cancel();
            await Task.WhenAll(senders);
            Assert.True(acknowledged < Batches, "the kill came after the whole ingestion: nothing was interrupted");
        }

        var restarted = await LocalProcess.StartAsync(_data.Path);
        // The switch replays every batch it sent, acknowledged or not.
        foreach (var (csv, lines) in batches)
        {
            var result = await restarted.Client.PostCsvAsync(csv);
            var received = result.GetProperty("received").GetInt32();
            Assert.Equal(lines.Count, received);
            Assert.Equal(received, result.GetProperty("accepted").GetInt32() + result.GetProperty("duplicates").GetInt32() + result.GetProperty("quarantined").GetArrayLength());
        }

        return (restarted, batches);
    }

    /// <summary>Each account's CDRs rated independently of the service, with the demo deck (RateDeck.Rate).</summary>
    private static List<RatingOutcome> RateIndependently(List<(string Csv, List<string[]> Lines)> batches, string account)
    {
        var deck = RateDeckParser.Parse(DemoSeeder.DeckId, DemoSeeder.DeckCsv).Deck!;
        return batches.SelectMany(b => b.Lines).Where(f => f[1] == account)
            .Select(f => deck.Rate(f[3], DateTimeOffset.Parse(f[4], CultureInfo.InvariantCulture), int.Parse(f[5], CultureInfo.InvariantCulture),
                f[6] == "ANSWERED" ? Disposition.Answered : Disposition.NoAnswer))
            .ToList();
    }

    [Fact]
    public async Task Killed_in_the_middle_of_an_ingestion_and_replayed_every_cdr_counts_once_and_the_money_matches_an_independent_rating()
    {
        var (host, batches) = await KillMidIngestionAndReplayAsync();
        await using (host)
        {
            var again = await host.Client.PostCsvAsync(batches[^1].Csv);
            Assert.Equal(0, again.GetProperty("accepted").GetInt32()); // a second replay is all duplicates and quarantine

            for (var a = 0; a < Accounts; a++)
            {
                var rated = RateIndependently(batches, AccountId(a));
                var balance = await host.Client.BalanceAsync(AccountId(a));
                Assert.Equal(Opening - rated.Where(r => r.IsRated).Sum(r => r.Charge), balance.GetProperty("balance").GetDecimal());
                var quarantine = await host.Client.GetJsonAsync($"/api/quarantine?accountId={AccountId(a)}&limit=10000");
                Assert.Equal(rated.Count(r => !r.IsRated), quarantine.GetProperty("items").GetArrayLength());
                var usage = await host.Client.GetJsonAsync($"/api/accounts/{AccountId(a)}/usage?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&limit=10000");
                Assert.InRange(usage.GetProperty("items").GetArrayLength(), 1, rated.Count(r => r.IsRated)); // never a record twice; the test below: none missing
            }
        }
    }

    [Fact]
    public async Task Killed_in_the_middle_of_an_ingestion_and_replayed_every_rated_cdr_has_its_usage_record()
    {
        var (host, batches) = await KillMidIngestionAndReplayAsync();
        await using (host)
        {
            for (var a = 0; a < Accounts; a++)
            {
                var usage = await host.Client.GetJsonAsync($"/api/accounts/{AccountId(a)}/usage?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&limit=10000");
                Assert.Equal(RateIndependently(batches, AccountId(a)).Count(r => r.IsRated), usage.GetProperty("items").GetArrayLength());
            }
        }
    }

    [Fact]
    public async Task Killed_between_authorize_and_terminate_the_reservation_is_still_held_and_the_terminate_charges_it()
    {
        decimal reserved;
        await using (var host = await LocalProcess.StartAsync(_data.Path))
        {
            var grant = await host.Client.PostJsonAsync("/api/authorize", new { sessionId = "kill-1", accountId = "smb", callingNumber = "+442071234567", calledNumber = "+33612345678", requestedSeconds = 300 });
            Assert.Equal("SUCCESS", grant.GetProperty("resultCode").GetString());
            reserved = grant.GetProperty("reservedAmount").GetDecimal();
            await host.KillAsync();
        }

        await using (var host = await LocalProcess.StartAsync(_data.Path))
        {
            var held = await host.Client.BalanceAsync("smb");
            Assert.Equal((100m, reserved, 1), (held.GetProperty("balance").GetDecimal(), held.GetProperty("reserved").GetDecimal(), held.GetProperty("activeSessions").GetInt32()));

            var end = await host.Client.PostJsonAsync("/api/sessions/kill-1/terminate", new { requestNumber = 1, usedSeconds = 342 });
            Assert.Equal(1.378m, end.GetProperty("charge").GetDecimal()); // 336: 0.01 + 0.24 × 342/60, as its CDR would cost
            var after = await host.Client.BalanceAsync("smb");
            Assert.Equal((100m - 1.378m, 0m, 0), (after.GetProperty("balance").GetDecimal(), after.GetProperty("reserved").GetDecimal(), after.GetProperty("activeSessions").GetInt32()));
        }
    }

    [Fact]
    public async Task Killed_between_authorize_and_terminate_the_reservation_is_still_held_and_then_released_by_the_sweeper()
    {
        // The reservation is seen held on a host whose sweeper does not run (its first tick is a day away), so how long
        // the restart takes does not matter: a held check against a running sweeper raced the grant's expiry, and lost
        // on a loaded machine however long the grace (5 s, then 20 s). A third start, sweeping every 200 ms, releases it.
        string[] holding = ["--CreditControl:ValiditySeconds=1", "--CreditControl:GraceSeconds=0", "--Local:SweepInterval=1.00:00:00"];
        decimal reserved;
        await using (var host = await LocalProcess.StartAsync(_data.Path, holding))
        {
            var grant = await host.Client.PostJsonAsync("/api/authorize", new { sessionId = "kill-2", accountId = "smb", callingNumber = "+442071234567", calledNumber = "+12125551234", requestedSeconds = 6 });
            Assert.Equal((6, 6), (grant.GetProperty("grantedSeconds").GetInt32(), grant.GetProperty("validitySeconds").GetInt32()));
            reserved = grant.GetProperty("reservedAmount").GetDecimal();
            await host.KillAsync();
        }

        await using (var host = await LocalProcess.StartAsync(_data.Path, holding))
        {
            var held = await host.Client.BalanceAsync("smb");
            Assert.Equal((100m, reserved, 1), (held.GetProperty("balance").GetDecimal(), held.GetProperty("reserved").GetDecimal(), held.GetProperty("activeSessions").GetInt32()));
            await host.KillAsync();
        }

        await using (var host = await LocalProcess.StartAsync(_data.Path, [.. holding[..^1], "--Local:SweepInterval=00:00:00.200"]))
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            var balance = await host.Client.BalanceAsync("smb");
            while (balance.GetProperty("reserved").GetDecimal() != 0m && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
                balance = await host.Client.BalanceAsync("smb");
            }

            Assert.Equal((100m, 0m, 0), (balance.GetProperty("balance").GetDecimal(), balance.GetProperty("reserved").GetDecimal(), balance.GetProperty("activeSessions").GetInt32()));
        }
    }

    public void Dispose() => _data.Dispose();
}
