using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>
/// Round sixteen of the hostile review: a call authorized in the last seconds of a billing period whose CDR says it
/// started in the next one (the switch stamps the answer, a few seconds after the authorize). The session fixed the
/// call's start at authorize, and the money counts in that period's totals, so on that period's invoice.
/// </summary>
public sealed class HostileRoundSixteenIngestionTests
{
    private const string Account = "acme";

    // Europe/London is on GMT in late October and November: the October period ends at 2026-11-01T00:00Z.
    private static readonly DateTimeOffset AuthorizedAt = new(2026, 10, 31, 23, 59, 58, TimeSpan.Zero);

    private static async Task<CreditControlHarness> CreateAsync()
    {
        var harness = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        await harness.OpenAsync(Account, Fixtures.Postpaid(1000m, hard: false), 0m);
        var grant = await harness.CreditControl.AuthorizeAsync(new AuthorizeRequest("call-1", Account, "+441234", "+33145678901", AuthorizedAt, 300), default);
        Assert.Equal(ResultCode.Success, grant.Answer!.ResultCode);
        return harness;
    }

    private static Task<IngestResult> IngestCdrAsync(CreditControlHarness harness) =>
        harness.IngestCsvAsync($"{Fixtures.CdrHeader}\nc-1,{Account},+441234,+33145678901,2026-11-01T00:00:03Z,42,ANSWERED,call-1\n");

    private static async Task<UsageRecord> UsageAsync(CreditControlHarness harness) =>
        Assert.Single(await harness.Usage.ListAsync(Account, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 10, default));

    [Fact]
    public async Task A_cdr_that_closes_its_session_is_recorded_in_the_period_its_charge_counts_in()
    {
        // The usage record said 2026-11 (the CDR's start) while its charge landed in the October totals (the session's
        // start) and on the October invoice: summing usage by its period did not give the invoices.
        var harness = await CreateAsync();

        Assert.Equal(1, (await IngestCdrAsync(harness)).Accepted);

        var state = await harness.StateAsync(Account);
        Assert.Equal(0.105m, state.Totals["2026-10"].Total.Amount);
        Assert.False(state.Totals.ContainsKey("2026-11") && state.Totals["2026-11"].Total.Amount != 0m);
        var usage = await UsageAsync(harness);
        Assert.Equal(Settlement.Cdr, usage.SettledBy);
        Assert.Equal("2026-10", usage.Period);
    }

    [Fact]
    public async Task A_cdr_settled_by_its_terminated_session_is_recorded_in_the_period_the_terminate_charged()
    {
        var harness = await CreateAsync();
        Assert.Equal(0.105m, (await harness.TerminateAsync("call-1", 1, 42)).Answer!.Charge);

        Assert.Equal(1, (await IngestCdrAsync(harness)).Accepted);

        Assert.Equal(0.105m, (await harness.StateAsync(Account)).Totals["2026-10"].Total.Amount);
        var usage = await UsageAsync(harness);
        Assert.Equal(Settlement.Session, usage.SettledBy);
        Assert.Equal("2026-10", usage.Period);
    }

    [Fact]
    public async Task A_cdr_that_closes_its_session_after_the_session_s_period_was_invoiced_is_late_usage_and_names_that_period()
    {
        // The session started in October; October is invoiced while the call is still open; its CDR comes later. The
        // charge cannot join October's closed totals: it is late usage from 2026-10 on the next open period, and the
        // record names 2026-10, as a CDR-only call that started in October and arrived late does.
        var harness = await CreateAsync();
        var before = await harness.Accounts.GetAsync(Account, default);
        Assert.NotNull(await harness.Accounts.TryReplaceAsync(before!.Value.CloseThrough("2026-10"), before.ETag, default));
        var october = (await harness.StateAsync(Account)).Totals.GetValueOrDefault("2026-10");

        Assert.Equal(1, (await IngestCdrAsync(harness)).Accepted);

        var state = await harness.StateAsync(Account);
        Assert.Equal(october, state.Totals.GetValueOrDefault("2026-10")); // the invoiced period does not move
        var open = state.Totals[state.PeriodLabel!];
        Assert.Equal(0.105m, open.Late["2026-10"].Total.Amount);
        Assert.Equal(0.105m, open.UsageAmount);
        Assert.Equal("2026-10", (await UsageAsync(harness)).Period);
        Fixtures.AssertConserved(state);
    }

    [Fact]
    public async Task A_copy_that_differs_only_in_the_calling_number_is_a_duplicate_in_the_same_batch_as_in_a_later_one()
    {
        // docs/api.md: a CDR id repeated with other called number, start, duration, disposition or session is a conflict.
        // A later batch judged the copy so (a calling number rewritten, "+441234" to "00441234", is the same call), but
        // within one batch the whole record was compared, and the copy was quarantined as a conflict.
        var harness = new CreditControlHarness(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore());
        await harness.OpenAsync(Account, Fixtures.Postpaid(1000m, hard: false), 0m);
        const string Line = "c-1,acme,{0},+33145678901,2026-11-20T10:00:00Z,42,ANSWERED,";
        var first = string.Format(System.Globalization.CultureInfo.InvariantCulture, Line, "+441234");
        var rewritten = string.Format(System.Globalization.CultureInfo.InvariantCulture, Line, "00441234");

        var together = await harness.IngestCsvAsync($"{Fixtures.CdrHeader}\n{first}\n{rewritten}\n");
        var later = await harness.IngestCsvAsync($"{Fixtures.CdrHeader}\n{rewritten}\n");

        Assert.Equal((1, 1, 0), (together.Accepted, together.Duplicates, together.Quarantined.Count));
        Assert.Equal((0, 1, 0), (later.Accepted, later.Duplicates, later.Quarantined.Count));
        Assert.Equal(0.105m, (await harness.StateAsync(Account)).Totals["2026-11"].Total.Amount);
    }
}
