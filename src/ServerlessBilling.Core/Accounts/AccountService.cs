using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Accounts;

/// <summary>Administration: accounts, top-ups, balances and rate decks.</summary>
public sealed class AccountService(IAccountStore accounts, ITopUpStore topUps, RateDeckCache decks, TimeProvider clock, CreditControlOptions options)
{
    private readonly AccountUpdater _updater = new(accounts, options);

    /// <summary>
    /// Creates the account, or changes its settings. The opening balance applies only when the account is
    /// created: afterwards money moves only by top-ups and charges, so the ledger still adds up.
    /// </summary>
    public async Task<Outcome<BalanceView>> UpsertAsync(string accountId, AccountSettings settings, decimal initialBalance, CancellationToken cancellationToken)
    {
        var errors = settings.Validate();
        if (errors.Count > 0)
        {
            return OutcomeError.Invalid(string.Join("; ", errors));
        }

        var decision = await _updater.UpdateAsync(
            accountId,
            account =>
            {
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

                if (account.Settings == settings)
                {
                    return Decision.Unchanged(BalanceView.Of(account, now));
                }

                var updated = account with { Settings = settings };
                if (account.Settings.BillingDay != settings.BillingDay || account.Settings.TimeZone != settings.TimeZone)
                {
                    var period = BillingPeriod.Containing(now, settings);
                    updated = updated with { PeriodEnd = period.End };
                }

                return Decision.Changed(updated, BalanceView.Of(updated, now));
            },
            cancellationToken);
        return decision.Error is { } error ? error : decision.Answer!;
    }

    /// <summary>
    /// Adds credit; a top-up id seen before changes nothing and answers the balance. Recent ids are recognised
    /// inside the account document (in the same write that moves the money); older ones by their history record,
    /// which is written after the money moved — a replay after a crash in between finds the id in the document.
    /// </summary>
    public async Task<Outcome<BalanceView>> TopUpAsync(TopUpRequest request, CancellationToken cancellationToken)
    {
        if (request.Amount <= 0m)
        {
            return OutcomeError.Invalid("amount must be greater than 0");
        }

        if (await topUps.ExistsAsync(request.AccountId, request.TopUpId, cancellationToken))
        {
            return await GetBalanceAsync(request.AccountId, cancellationToken) is { } balance
                ? balance
                : OutcomeError.NotFound($"account '{request.AccountId}' does not exist");
        }

        var decision = await _updater.UpdateAsync(
            request.AccountId,
            account =>
            {
                var now = clock.GetUtcNow();
                if (account is null)
                {
                    return Decision.Failed<BalanceView>(OutcomeError.NotFound($"account '{request.AccountId}' does not exist"));
                }

                if (account.RecentTopUps.Contains(request.TopUpId))
                {
                    return Decision.Unchanged(BalanceView.Of(account, now));
                }

                var recent = account.RecentTopUps.Add(request.TopUpId);
                if (recent.Count > AccountState.RecentTopUpCapacity)
                {
                    recent = recent.RemoveAt(0);
                }

                var next = account.WithTopUp(request.Amount, now) with { RecentTopUps = recent };
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

    public async Task<BalanceView?> GetBalanceAsync(string accountId, CancellationToken cancellationToken)
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
            await decks.PutAsync(deck, cancellationToken);
        }

        return import;
    }
}
