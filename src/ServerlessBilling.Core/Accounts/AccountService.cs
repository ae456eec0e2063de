using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Validation;

namespace ServerlessBilling.Core.Accounts;

/// <summary>
/// Administration: accounts, top-ups, balances and rate decks. A call on one account waits on the store no longer than
/// <see cref="CreditControlOptions.AdminDeadline"/> (a balance read, which switches make at call setup, no longer than
/// <see cref="CreditControlOptions.StoreDeadline"/>), then fails as unavailable (503): a frozen store holds no caller.
/// </summary>
public sealed class AccountService(IAccountStore accounts, AccountUpdater updater, ITopUpStore topUps, RateDeckCache decks, CreditControlOptions options, TimeProvider clock)
{
    /// <summary>
    /// Creates the account, or changes its settings. The opening balance applies only when the account is
    /// created: afterwards money moves only by top-ups and charges, so the ledger still adds up.
    /// </summary>
    public Task<Outcome<BalanceView>> UpsertAsync(string accountId, AccountSettings settings, decimal initialBalance, CancellationToken cancellationToken) =>
        WithinAdminDeadline(ct => UpsertCoreAsync(accountId, settings, initialBalance, ct), "account write", cancellationToken);

    /// <summary>
    /// Adds credit; a top-up id seen before changes nothing and answers the balance. Recent ids are recognised
    /// inside the account document (in the same write that moves the money); older ones by their history record,
    /// which is written after the money moved — a replay after a crash in between finds the id in the document.
    /// </summary>
    public Task<Outcome<BalanceView>> TopUpAsync(TopUpRequest request, CancellationToken cancellationToken) =>
        WithinAdminDeadline(ct => TopUpCoreAsync(request, ct), "top-up", cancellationToken);

    /// <summary>
    /// Suspends the account: new calls are denied (ACCOUNT_SUSPENDED) and running calls get no further grant.
    /// Suspending a suspended account changes nothing. <paramref name="byPolicy"/>: monitoring's automatic
    /// suspension, which an operator's resume waives for the rest of the period, and which is written only when the
    /// account as it is then still reaches its <c>suspendAt</c> (its reason then says so with the figures of that
    /// moment, not <paramref name="reason"/>).
    /// </summary>
    public Task<Outcome<BalanceView>> SuspendAsync(string accountId, string reason, bool byPolicy, CancellationToken cancellationToken) =>
        WithinAdminDeadline(ct => SuspendCoreAsync(accountId, reason, byPolicy, ct), "suspend", cancellationToken);

    /// <summary>Lifts a suspension; monitoring will not suspend the account again by policy in this billing period.</summary>
    public Task<Outcome<BalanceView>> ResumeAsync(string accountId, CancellationToken cancellationToken) =>
        WithinAdminDeadline(ct => ResumeCoreAsync(accountId, ct), "resume", cancellationToken);

    /// <summary>A switch route's read (as authorize, no closure per call): within the credit-control deadline.</summary>
    public Task<BalanceView?> GetBalanceAsync(string accountId, CancellationToken cancellationToken) =>
        StoreDeadline.RunAsync(
            static (s, ct) => new ValueTask<BalanceView?>(s.Service.ReadBalanceAsync(s.AccountId, ct)),
            (Service: this, AccountId: accountId),
            options.StoreDeadline,
            clock,
            "balance",
            cancellationToken);

    private Task<T> WithinAdminDeadline<T>(Func<CancellationToken, Task<T>> work, string what, CancellationToken cancellationToken) =>
        StoreDeadline.RunAsync(work, options.AdminDeadline, clock, what, cancellationToken);

    private async Task<Outcome<BalanceView>> UpsertCoreAsync(string accountId, AccountSettings settings, decimal initialBalance, CancellationToken cancellationToken)
    {
        // Values kept as stored are not checked again (AccountSettings.Validate): an account stored before a rule was
        // tightened stays editable. Only settings that break a rule cost that read of the stored ones, and the write then
        // checks them again against the document it replaces, should its settings have changed meanwhile.
        var errors = settings.Validate().ToList();
        AccountSettings? stored = null;
        var excused = false;
        if (errors.Count > 0)
        {
            stored = (await accounts.GetAsync(accountId, cancellationToken))?.Value.Settings;
            errors = [.. settings.Validate(stored)];
            excused = errors.Count == 0;
        }

        if (InitialBalanceError(initialBalance, settings.Mode) is { } badBalance)
        {
            errors.Add(badBalance);
        }

        if (errors.Count == 0 && await decks.GetAsync(settings.RateDeckId, cancellationToken) is null)
        {
            errors.Add($"rate deck '{settings.RateDeckId}' does not exist; upload it first with PUT /api/ratedecks/{settings.RateDeckId}");
        }

        if (errors.Count > 0)
        {
            return OutcomeError.Invalid(errors);
        }

        var decision = await updater.UpdateAsync(
            accountId,
            account =>
            {
                if (excused && !Equals(account?.Settings, stored) && settings.Validate(account?.Settings) is { Count: > 0 } late)
                {
                    return Decision.Failed<BalanceView>(OutcomeError.Invalid(late));
                }

                var now = clock.GetUtcNow();
                if (account is null)
                {
                    var opened = AccountState.Open(accountId, settings, initialBalance, now);
                    return Decision.Changed(opened, BalanceView.Of(opened, now));
                }

                if (account.Settings.Currency != settings.Currency && (account.Balance != 0m || account.Committed != 0m || account.Reserved != 0m))
                {
                    return Decision.Failed<BalanceView>(OutcomeError.Conflict(
                        $"account '{accountId}' holds money in {account.Settings.Currency}; its currency cannot change to {settings.Currency}"));
                }

                // A call authorized with nothing reserved (a 0-second request, or an interim that asked for no more) is
                // priced and answered in the currency of its authorize: its terminate or CDR must not charge it in another.
                if (account.Settings.Currency != settings.Currency && UnsettledSession(account) is { } open)
                {
                    return Decision.Failed<BalanceView>(OutcomeError.Conflict(
                        $"account '{accountId}' has a call in {account.Settings.Currency} not yet charged (session '{open}'); its currency cannot change to {settings.Currency} until it is"));
                }

                if (account.Settings.Mode != settings.Mode && !account.CanChangeMode(now))
                {
                    return Decision.Failed<BalanceView>(OutcomeError.Conflict(
                        $"account '{accountId}' changed mode {BillingPeriod.MaxParts - 1} times in its current billing period; change it again in the next"));
                }

                if (account.Settings == settings)
                {
                    return Decision.Unchanged(BalanceView.Of(account, now));
                }

                var updated = account.WithSettings(settings, now);
                return Decision.Changed(updated, BalanceView.Of(updated, now));
            },
            cancellationToken);
        return decision.Error is { } error ? error : decision.Answer!;
    }

    /// <summary>The id of a session the document holds that terminate or its CDR may still charge, or null.</summary>
    private static string? UnsettledSession(AccountState account)
    {
        foreach (var session in account.Sessions.Values)
        {
            if (session.TerminateAnswer is null)
            {
                return session.SessionId;
            }
        }

        return null;
    }

    /// <summary>
    /// A pre-paid account opens with credit (not negative); a post-paid one may open owing (a debt carried over from
    /// another platform), as API.md says. Either way the amount is within the bounds of an amount.
    /// </summary>
    private static string? InitialBalanceError(decimal initialBalance, AccountMode mode) =>
        initialBalance < 0m && mode == AccountMode.Prepaid
            ? "initialBalance must not be negative" // the API's words since it first checked this (tests pin them)
            : Bounds.CheckAmount(Math.Abs(initialBalance), "initialBalance", positive: false);

    private async Task<Outcome<BalanceView>> TopUpCoreAsync(TopUpRequest request, CancellationToken cancellationToken)
    {
        if (Bounds.CheckAmount(request.Amount, "amount", positive: true) is { } invalid)
        {
            return OutcomeError.Invalid(invalid);
        }

        if (await topUps.FindAsync(request.AccountId, request.TopUpId, cancellationToken) is { } recorded)
        {
            if (CurrencyConflict(request, recorded.Currency) is { } other)
            {
                return other;
            }

            if (recorded.Amount != request.Amount)
            {
                return TopUpConflict(request, recorded.Amount);
            }

            return await ReadBalanceAsync(request.AccountId, cancellationToken) is { } balance
                ? balance
                : OutcomeError.NotFound($"account '{request.AccountId}' does not exist");
        }

        var mayForget = await RecordTopUpsThatMayGoAsync(request.AccountId, cancellationToken);
        var decision = await updater.UpdateAsync(
            request.AccountId,
            account =>
            {
                var now = clock.GetUtcNow();
                if (account is null)
                {
                    return Decision.Failed<BalanceView>(OutcomeError.NotFound($"account '{request.AccountId}' does not exist"));
                }

                if (CurrencyConflict(request, account.Settings.Currency.Code) is { } other)
                {
                    return Decision.Failed<BalanceView>(other);
                }

                if (account.RecentTopUps.FirstOrDefault(t => t.TopUpId == request.TopUpId) is { } seen)
                {
                    return seen.Amount == request.Amount
                        ? Decision.Unchanged(BalanceView.Of(account, now))
                        : Decision.Failed<BalanceView>(TopUpConflict(request, seen.Amount));
                }

                var next = account.WithTopUp(request.Amount, now).RememberTopUp(new RecentTopUp(request.TopUpId, request.Amount), mayForget);
                return Decision.Changed(next, BalanceView.Of(next, now));
            },
            cancellationToken);
        if (decision.Answer is { } answer)
        {
            // Also when the document already knew the id: the history record may be what a crash left out.
            await topUps.TryCreateAsync(new TopUpRecord(request.TopUpId, request.AccountId, request.Amount, answer.Currency, clock.GetUtcNow()), cancellationToken);
        }

        return decision.Error is { } error ? error : decision.Answer!;
    }

    /// <summary>
    /// The ids of the recent top-ups that this one may push out of the account's window, each with its history record
    /// (found, or written now from the window's entry: the account's write is committed before its record, so a crash
    /// between the two leaves a credited top-up that only the window knows). Once out of the window, a top-up is known
    /// by its record alone.
    /// </summary>
    private async Task<IReadOnlySet<string>> RecordTopUpsThatMayGoAsync(string accountId, CancellationToken cancellationToken)
    {
        if (await accounts.GetAsync(accountId, cancellationToken) is not { } read)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        var recorded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var going in read.Value.TopUpsThatMayGo())
        {
            if (await topUps.FindAsync(accountId, going.TopUpId, cancellationToken) is null)
            {
                await topUps.TryCreateAsync(new TopUpRecord(going.TopUpId, accountId, going.Amount, read.Value.Settings.Currency.Code, clock.GetUtcNow()), cancellationToken);
            }

            recorded.Add(going.TopUpId);
        }

        return recorded;
    }

    /// <summary>A top-up that names a currency other than the account's: crediting its amount in the account's currency would be a guess at a rate.</summary>
    private static OutcomeError? CurrencyConflict(TopUpRequest request, string accountCurrency) =>
        request.Currency is { } named && !string.Equals(named, accountCurrency, StringComparison.Ordinal)
            ? OutcomeError.Conflict($"top-up '{request.TopUpId}' is in {named}, but account '{request.AccountId}' holds {accountCurrency}; a top-up is in the account's currency")
            : null;

    private static OutcomeError TopUpConflict(TopUpRequest request, decimal recorded) =>
        OutcomeError.Conflict(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"top-up '{request.TopUpId}' was already applied with amount {recorded}; a retry must repeat it exactly (use a new topUpId for a new top-up)"));

    private Task<Outcome<BalanceView>> SuspendCoreAsync(string accountId, string reason, bool byPolicy, CancellationToken cancellationToken) =>
        UpdateExistingAsync(
            accountId,
            (account, now) =>
            {
                // By policy, the account as it is now must still call for it (a top-up or a raised limit since the version
                // monitoring judged makes it good), and with the figures it has now.
                var why = byPolicy ? Monitoring.MonitorRules.PolicySuspension(account, now) : reason;
                if (account.Status == AccountStatus.Suspended || why is null || (byPolicy && account.PolicyWaived(now)))
                {
                    return Decision.Unchanged(BalanceView.Of(account, now));
                }

                var next = account.Suspend(why, now);
                return Decision.Changed(next, BalanceView.Of(next, now));
            },
            cancellationToken);

    private Task<Outcome<BalanceView>> ResumeCoreAsync(string accountId, CancellationToken cancellationToken) =>
        UpdateExistingAsync(
            accountId,
            (account, now) =>
            {
                if (account.Status == AccountStatus.Active)
                {
                    return Decision.Unchanged(BalanceView.Of(account, now));
                }

                var next = account.Resume(now);
                return Decision.Changed(next, BalanceView.Of(next, now));
            },
            cancellationToken);

    /// <summary>Applies <paramref name="decide"/> to an account that must exist (404 otherwise) with one conditional write.</summary>
    private async Task<Outcome<BalanceView>> UpdateExistingAsync(string accountId, Func<AccountState, DateTimeOffset, Decision<BalanceView>> decide, CancellationToken cancellationToken)
    {
        var decision = await updater.UpdateAsync(
            accountId,
            account => account is null
                ? Decision.Failed<BalanceView>(OutcomeError.NotFound($"account '{accountId}' does not exist"))
                : decide(account, clock.GetUtcNow()),
            cancellationToken);
        return decision.Error is { } error ? error : decision.Answer!;
    }

    private async Task<BalanceView?> ReadBalanceAsync(string accountId, CancellationToken cancellationToken)
    {
        var account = await accounts.GetAsync(accountId, cancellationToken);
        return account is null ? null : BalanceView.Of(account.Value, clock.GetUtcNow());
    }

    /// <summary>Imports a deck; stores it only when every line is valid.</summary>
    public async Task<RateDeckImport> ImportDeckAsync(string deckId, TextReader csv, CancellationToken cancellationToken)
    {
        var import = RateDeckParser.Parse(deckId, csv);
        if (import.Deck is { } deck)
        {
            await WithinAdminDeadline(async ct => { await decks.PutAsync(deck, ct); return deck; }, "rate-deck write", cancellationToken);
        }

        return import;
    }
}
