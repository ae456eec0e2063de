using System.Text;
using Microsoft.AspNetCore.Http;
using ServerlessBilling.Api.Contracts;
using ServerlessBilling.Api.Http;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Money;
using ServerlessBilling.Core.Monitoring;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Validation;

namespace ServerlessBilling.Api.Endpoints;

/// <summary>Handlers of the administration endpoints.</summary>
public static class AccountEndpoints
{
    public const long MaxDeckBytes = 256L << 20;

    /// <summary>Accounts per page: a page reads whole account documents, so pages stay far smaller than other lists.</summary>
    public const int DefaultAccountPage = 50;

    public const int MaxAccountPage = 1000;

    public static async Task<IResult> List(HttpRequest http, IAccountDirectory directory, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!RequestReader.TryLimit(http.Query["limit"], out var limit, DefaultAccountPage, MaxAccountPage))
        {
            return Problems.BadRequest($"limit must be a whole number from 1 to {MaxAccountPage} (default {DefaultAccountPage})");
        }

        string? after = null;
        if (http.Query.ContainsKey("continuation"))
        {
            if (!PageToken.TryDecode(http.Query["continuation"], out var decoded))
            {
                return Problems.BadRequest("continuation is not a token this API handed out; pass the continuation of the previous page unchanged, or none for the first page");
            }

            after = decoded;
        }

        // One more than the page tells whether another page follows, so the last page says so (continuation null).
        var found = await directory.ListPageAsync(after, limit + 1, cancellationToken);
        var now = clock.GetUtcNow();
        var page = found.Take(limit).Select(a => BalanceView.Of(a, now)).ToList();
        return Results.Ok(new AccountListResponse(page, found.Count > limit ? PageToken.Encode(page[^1].AccountId) : null));
    }

    public static async Task<IResult> Get(string accountId, IAccountStore accounts, CancellationToken cancellationToken)
    {
        if (RequestReader.CheckId(accountId, "accountId") is { } bad)
        {
            return bad;
        }

        return await accounts.GetAsync(accountId, cancellationToken) is { Value: var account }
            ? Results.Ok(ToSettingsResponse(account))
            : Problems.NotFound($"account '{accountId}' does not exist");
    }

    public static async Task<IResult> ListRateDecks(IRateDeckStore decks, CancellationToken cancellationToken) =>
        Results.Ok(new RateDeckListResponse((await decks.ListAsync(cancellationToken)).Select(d => new RateDeckResponse(d.DeckId, d.Rows)).ToList()));

    /// <summary>The deck as the CSV that PUT accepts: exported and imported again, it is the same deck.</summary>
    public static async Task<IResult> ExportRateDeck(string deckId, IRateDeckStore decks, CancellationToken cancellationToken)
    {
        if (RequestReader.CheckId(deckId, "deckId") is { } bad)
        {
            return bad;
        }

        // The store, not the rating cache: an operator reads what is stored now.
        if (await decks.GetAsync(deckId, cancellationToken) is not { } deck)
        {
            return Problems.NotFound($"rate deck '{deckId}' does not exist");
        }

        return Results.Stream(
            async body =>
            {
                // Asynchronous writes only: the server forbids blocking ones, and a deck may have 200,000 rows.
                await using var writer = new StreamWriter(body, new UTF8Encoding(false), 1 << 16);
                foreach (var line in RateDeckCsv.Lines(deck))
                {
                    await writer.WriteAsync(line);
                    await writer.WriteAsync('\n');
                }

                await writer.FlushAsync(cancellationToken);
            },
            "text/csv; charset=utf-8");
    }

    public static async Task<IResult> Put(string accountId, HttpRequest http, AccountService service, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestReader.ReadJsonAsync<AccountBody>(http, cancellationToken);
        if ((problem ?? RequestReader.CheckId(accountId, "accountId")) is { } bad)
        {
            return bad;
        }

        var (settings, errors) = ToSettings(body!);
        if (settings is null)
        {
            return Problems.BadRequest(string.Join("; ", errors), errors);
        }

        // The opening balance's rule (not negative on a pre-paid account) is the service's, as every other rule of the account.
        var outcome = await service.UpsertAsync(accountId, settings, body!.InitialBalance ?? 0m, cancellationToken);
        return outcome.Error is { } error ? Problems.From(error) : Results.Ok(outcome.Answer!);
    }

    public static async Task<IResult> TopUp(string accountId, HttpRequest http, AccountService service, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestReader.ReadJsonAsync<TopUpBody>(http, cancellationToken);
        if ((problem ?? RequestReader.CheckId(accountId, "accountId") ?? RequestReader.CheckId(body!.TopupId, "topupId")) is { } bad)
        {
            return bad;
        }

        if (body!.Amount is not { } amount)
        {
            return Problems.BadRequest("amount is required");
        }

        if (body.Currency is { } currency && !Currency.IsValidCode(currency))
        {
            return Problems.BadRequest($"currency '{currency}' is not an ISO 4217 code (three upper-case letters)");
        }

        var outcome = await service.TopUpAsync(new TopUpRequest(accountId, body.TopupId!, amount, body.Currency), cancellationToken);
        return outcome.Error is { } error ? Problems.From(error) : Results.Ok(outcome.Answer!);
    }

    /// <summary>A switch route: the read has the credit-control store deadline (503 with Retry-After when it passes).</summary>
    public static async Task<IResult> Balance(string accountId, AccountService service, CancellationToken cancellationToken)
    {
        if (RequestReader.CheckId(accountId, "accountId") is { } bad)
        {
            return bad;
        }

        var balance = await service.GetBalanceAsync(accountId, cancellationToken);
        return balance is null ? Problems.NotFound($"account '{accountId}' does not exist") : Results.Ok(balance);
    }

    public static async Task<IResult> PutRateDeck(string deckId, HttpRequest http, AccountService service, CancellationToken cancellationToken)
    {
        if (RequestReader.CheckId(deckId, "deckId") is { } bad)
        {
            return bad;
        }

        if (http.ContentLength is > MaxDeckBytes)
        {
            return Problems.BadRequest($"the deck is larger than {MaxDeckBytes} bytes");
        }

        // Read the body asynchronously first: the parser is synchronous and the server forbids blocking reads.
        var body = await RequestReader.ReadBytesAsync(http, MaxDeckBytes, cancellationToken);
        using var reader = new StreamReader(new MemoryStream(body), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var import = await service.ImportDeckAsync(deckId, reader, cancellationToken);
        if (import.Deck is { } deck)
        {
            return Results.Ok(new RateDeckResponse(deck.DeckId, deck.Rows.Count));
        }

        const int shown = 1000;
        var errors = import.Errors.Take(shown).Select(e => new LineError(e.Line, e.Reason)).ToList();
        var more = import.Errors.Count > shown ? $" (the first {shown} are listed)" : "";
        return Problems.BadRequest($"the rate deck has {import.Errors.Count} bad line(s){more}; first: {import.Errors[0]}", errors);
    }

    public static async Task<IResult> Suspend(string accountId, HttpRequest http, AccountService service, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestReader.ReadOptionalJsonAsync(http, new SuspendBody(null), cancellationToken);
        if ((problem ?? RequestReader.CheckId(accountId, "accountId")) is { } bad)
        {
            return bad;
        }

        if (body!.Reason is { Length: > 500 })
        {
            return Problems.BadRequest("reason must be at most 500 characters");
        }

        // The reason is the message of the suspension's alert, logged and posted to the webhook as it is.
        if (body.Reason is { } reason && DisplayText.Unfit(reason) is { } what)
        {
            return Problems.BadRequest($"reason holds {what}: it is the message of the suspension's alert, logged as it is");
        }

        var outcome = await service.SuspendAsync(accountId, string.IsNullOrWhiteSpace(body.Reason) ? "suspended by an operator" : body.Reason.Trim(), byPolicy: false, cancellationToken);
        return outcome.Error is { } error ? Problems.From(error) : Results.Ok(outcome.Answer!);
    }

    public static async Task<IResult> Resume(string accountId, AccountService service, CancellationToken cancellationToken)
    {
        if (RequestReader.CheckId(accountId, "accountId") is { } bad)
        {
            return bad;
        }

        var outcome = await service.ResumeAsync(accountId, cancellationToken);
        return outcome.Error is { } error ? Problems.From(error) : Results.Ok(outcome.Answer!);
    }

    public static AccountSettingsResponse ToSettingsResponse(AccountState account)
    {
        var s = account.Settings;
        return new(account.AccountId, s.Name, WireNames.Mode(s.Mode), s.Currency.Code, s.CreditLimit, s.HardLimit, s.RateDeckId, s.BillingDay, s.TimeZone,
            new TaxBody(WireNames.Tax(s.Tax.Treatment), s.Tax.Rate),
            s.Monitoring is { } m ? new MonitoringBody(m.Thresholds, m.SuspendAt) : null,
            s.PaymentTermsDays, WireNames.Status(account.Status));
    }

    private static (AccountSettings? Settings, List<string> Errors) ToSettings(AccountBody body)
    {
        var errors = new List<string>();
        if (!WireNames.TryParseMode(body.Mode, out var mode))
        {
            errors.Add(body.Mode is null ? "mode is required (prepaid or postpaid)" : $"mode '{body.Mode}' is not prepaid or postpaid");
        }

        if (!Currency.TryParse(body.Currency, out var currency))
        {
            errors.Add(body.Currency is null ? "currency is required" : $"currency '{body.Currency}' is not an ISO 4217 code");
        }

        var tax = TaxSettings.None;
        if (body.Tax is { } taxBody)
        {
            if (!WireNames.TryParseTax(taxBody.Treatment, out var treatment))
            {
                errors.Add($"tax.treatment '{taxBody.Treatment}' is not standard, reverse-charge or exempt");
            }
            else if (treatment == TaxTreatment.Standard && taxBody.Rate is null)
            {
                errors.Add("tax.rate is required for standard tax");
            }
            else
            {
                tax = new TaxSettings(treatment, taxBody.Rate ?? 0m);
            }
        }

        if (body.RateDeckId is null)
        {
            errors.Add("rateDeckId is required");
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var settings = new AccountSettings(
            body.Name ?? "",
            mode,
            currency,
            body.CreditLimit,
            body.HardLimit ?? false,
            body.RateDeckId!,
            body.BillingDay ?? 1,
            body.TimeZone ?? "Etc/UTC",
            tax,
            body.Monitoring is { } monitoring ? new MonitoringSettings(monitoring.Thresholds ?? MonitoringSettings.Default.Thresholds, monitoring.SuspendAt) : null,
            body.PaymentTermsDays ?? AccountSettings.DefaultPaymentTermsDays);

        // The values are checked by the use case, against the account's stored settings (a value kept as stored is not
        // checked again against rules tightened since), and a 400 there lists them in errors as here.
        return (settings, errors);
    }
}
