using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.CreditControl;

/// <summary>Called numbers of the fixture deck, one per tariff.</summary>
public static class Numbers
{
    /// <summary>Longest prefix 44: 1.00/min, 60/60, no connect fee.</summary>
    public const string Uk = "+441612345678";

    /// <summary>Longest prefix 4420: 0.60/min, 30/6, 0.05 connect fee.</summary>
    public const string London = "+442071234567";

    /// <summary>Prefix 33: 0.15/min, 1/1.</summary>
    public const string France = "+33612345678";

    /// <summary>No prefix of the fixture deck matches.</summary>
    public const string Unrated = "+99912345678";

    public const string Caller = "+441234567890";

    public static Tariff TariffOf(string called) => Fixtures.Deck().Find(called, Fixtures.Now)!.Tariff;

    /// <summary>The price of an answered call of <paramref name="seconds"/> by the normative rules.</summary>
    public static decimal Price(string called, int seconds)
    {
        var tariff = TariffOf(called);
        return Rater.Charge(tariff, Rater.BilledSeconds(seconds, answered: true, tariff));
    }
}

/// <summary>
/// One account under credit control over the in-memory stores, with a fake clock. Every step reads the
/// account back and asserts conservation (ARCHITECTURE.md invariant 1), so each test checks it after each step.
/// </summary>
public sealed class CreditControlScenario
{
    private CreditControlScenario(CreditControlHarness harness, string accountId)
    {
        Harness = harness;
        AccountId = accountId;
    }

    public CreditControlHarness Harness { get; }

    public string AccountId { get; }

    public CreditControlService Service => Harness.CreditControl;

    public AccountService Admin => Harness.Admin;

    public IAccountStore Accounts => Harness.Accounts;

    public static CreditControlHarness NewHarness(CreditControlOptions? options = null) =>
        new(new InMemoryAccountStore(), new InMemorySessionIndex(), new InMemoryRateDeckStore(), options);

    public static Task<CreditControlScenario> PrepaidAsync(decimal opening, CreditControlOptions? options = null) =>
        OpenAsync(Fixtures.Prepaid(), opening, options);

    public static Task<CreditControlScenario> PostpaidAsync(decimal limit, bool hard, CreditControlOptions? options = null) =>
        OpenAsync(Fixtures.Postpaid(limit, hard), 0m, options);

    public static async Task<CreditControlScenario> OpenAsync(AccountSettings settings, decimal opening, CreditControlOptions? options = null, string accountId = "acme")
    {
        var harness = NewHarness(options);
        await harness.OpenAsync(accountId, settings, opening);
        var scenario = new CreditControlScenario(harness, accountId);
        await scenario.StateAsync();
        return scenario;
    }

    /// <summary>A second account on the same stores and clock.</summary>
    public async Task<CreditControlScenario> OpenAnotherAsync(string accountId, AccountSettings settings, decimal opening)
    {
        await Harness.OpenAsync(accountId, settings, opening);
        var other = new CreditControlScenario(Harness, accountId);
        await other.StateAsync();
        return other;
    }

    public AuthorizeRequest Request(string sessionId, string called = Numbers.London, int? seconds = 60, DateTimeOffset? start = null) =>
        new(sessionId, AccountId, Numbers.Caller, called, start, seconds);

    public Task<Outcome<GrantAnswer>> AuthorizeAsync(string sessionId, string called = Numbers.London, int? seconds = 60, DateTimeOffset? start = null) =>
        AuthorizeAsync(Request(sessionId, called, seconds, start));

    public async Task<Outcome<GrantAnswer>> AuthorizeAsync(AuthorizeRequest request)
    {
        var outcome = await Service.AuthorizeAsync(request, default);
        await StateAsync();
        return outcome;
    }

    /// <summary>Authorizes and insists on a grant.</summary>
    public async Task<GrantAnswer> GrantAsync(string sessionId, string called = Numbers.London, int? seconds = 60)
    {
        var outcome = await AuthorizeAsync(sessionId, called, seconds);
        Assert.Null(outcome.Error);
        Assert.Equal(ResultCode.Success, outcome.Answer!.ResultCode);
        return outcome.Answer;
    }

    public async Task<Outcome<GrantAnswer>> InterimAsync(string sessionId, int number, int used, int? seconds = 60)
    {
        var outcome = await Service.InterimAsync(new InterimRequest(sessionId, number, used, seconds), default);
        await StateAsync();
        return outcome;
    }

    public async Task<Outcome<TerminateAnswer>> TerminateAsync(string sessionId, int number, int used)
    {
        var outcome = await Service.TerminateAsync(new TerminateRequest(sessionId, number, used), default);
        await StateAsync();
        return outcome;
    }

    public async Task<Outcome<BalanceView>> TopUpAsync(string topUpId, decimal amount)
    {
        var outcome = await Admin.TopUpAsync(new TopUpRequest(AccountId, topUpId, amount), default);
        await StateAsync();
        return outcome;
    }

    public async Task<int> ReleaseExpiredAsync()
    {
        var released = await Service.ReleaseExpiredAsync(default);
        await StateAsync();
        return released;
    }

    public void Advance(int seconds) => Harness.Clock.Advance(TimeSpan.FromSeconds(seconds));

    /// <summary>The account document, after asserting that it is conserved.</summary>
    public async Task<AccountState> StateAsync()
    {
        var state = (await Accounts.GetAsync(AccountId, default))?.Value;
        Assert.NotNull(state);
        Fixtures.AssertConserved(state);
        return state;
    }

    /// <summary>The ETag of the account document: unchanged means nothing was written.</summary>
    public async Task<string> ETagAsync() => (await Accounts.GetAsync(AccountId, default))!.ETag;

    public async Task<Session> SessionAsync(string sessionId) => (await StateAsync()).Sessions[sessionId];

    /// <summary>Replaces the stored document with <paramref name="change"/> applied, as an operator tool would.</summary>
    public async Task ReplaceAsync(Func<AccountState, AccountState> change)
    {
        var current = (await Accounts.GetAsync(AccountId, default))!;
        Assert.NotNull(await Accounts.TryReplaceAsync(change(current.Value), current.ETag, default));
        await StateAsync();
    }
}
