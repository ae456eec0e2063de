using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessBilling.Api;

namespace ServerlessBilling.Functions.Http;

/// <summary>
/// The administration routes of <see cref="ApiRoutes"/> (role <see cref="ApiRole.Admin"/>), at
/// <see cref="AuthorizationLevel.Admin"/>: the host itself refuses every key but the master key before the worker
/// sees the request, so a switch's function or host key cannot reach them and there is no secret of ours to store,
/// compare or rotate. The master key is an operator credential (it also opens the host's admin API); when partners
/// need admin access of their own, Entra ID (App Service authentication) or the API keys of the local host replace
/// it without touching the route table.
/// </summary>
public sealed class AdminFunctions(ApiRouteInvoker api)
{
    [Function(ApiRoutes.Names.PutAccount)]
    public Task<IResult> PutAccount(
        [HttpTrigger(AuthorizationLevel.Admin, ApiRoutes.Put, Route = ApiRoutes.Templates.Account)] HttpRequest request, string accountId) =>
        api.InvokeAsync(ApiRoutes.Names.PutAccount, request, (nameof(accountId), accountId));

    [Function(ApiRoutes.Names.TopUp)]
    public Task<IResult> TopUp(
        [HttpTrigger(AuthorizationLevel.Admin, ApiRoutes.Post, Route = ApiRoutes.Templates.TopUps)] HttpRequest request, string accountId) =>
        api.InvokeAsync(ApiRoutes.Names.TopUp, request, (nameof(accountId), accountId));

    [Function(ApiRoutes.Names.PutRateDeck)]
    public Task<IResult> PutRateDeck(
        [HttpTrigger(AuthorizationLevel.Admin, ApiRoutes.Put, Route = ApiRoutes.Templates.RateDeck)] HttpRequest request, string deckId) =>
        api.InvokeAsync(ApiRoutes.Names.PutRateDeck, request, (nameof(deckId), deckId));

    [Function(ApiRoutes.Names.PostCdrs)]
    public Task<IResult> PostCdrs(
        [HttpTrigger(AuthorizationLevel.Admin, ApiRoutes.Post, Route = ApiRoutes.Templates.Cdrs)] HttpRequest request) =>
        api.InvokeAsync(ApiRoutes.Names.PostCdrs, request);

    [Function(ApiRoutes.Names.Usage)]
    public Task<IResult> Usage(
        [HttpTrigger(AuthorizationLevel.Admin, ApiRoutes.Get, Route = ApiRoutes.Templates.Usage)] HttpRequest request, string accountId) =>
        api.InvokeAsync(ApiRoutes.Names.Usage, request, (nameof(accountId), accountId));

    [Function(ApiRoutes.Names.Quarantine)]
    public Task<IResult> Quarantine(
        [HttpTrigger(AuthorizationLevel.Admin, ApiRoutes.Get, Route = ApiRoutes.Templates.Quarantine)] HttpRequest request) =>
        api.InvokeAsync(ApiRoutes.Names.Quarantine, request);

    [Function(ApiRoutes.Names.Alerts)]
    public Task<IResult> Alerts(
        [HttpTrigger(AuthorizationLevel.Admin, ApiRoutes.Get, Route = ApiRoutes.Templates.Alerts)] HttpRequest request) =>
        api.InvokeAsync(ApiRoutes.Names.Alerts, request);

    [Function(ApiRoutes.Names.Suspend)]
    public Task<IResult> Suspend(
        [HttpTrigger(AuthorizationLevel.Admin, ApiRoutes.Post, Route = ApiRoutes.Templates.Suspend)] HttpRequest request, string accountId) =>
        api.InvokeAsync(ApiRoutes.Names.Suspend, request, (nameof(accountId), accountId));

    [Function(ApiRoutes.Names.Resume)]
    public Task<IResult> Resume(
        [HttpTrigger(AuthorizationLevel.Admin, ApiRoutes.Post, Route = ApiRoutes.Templates.Resume)] HttpRequest request, string accountId) =>
        api.InvokeAsync(ApiRoutes.Names.Resume, request, (nameof(accountId), accountId));

    [Function(ApiRoutes.Names.RunInvoices)]
    public Task<IResult> RunInvoices(
        [HttpTrigger(AuthorizationLevel.Admin, ApiRoutes.Post, Route = ApiRoutes.Templates.RunInvoices)] HttpRequest request) =>
        api.InvokeAsync(ApiRoutes.Names.RunInvoices, request);

    [Function(ApiRoutes.Names.AccountInvoices)]
    public Task<IResult> AccountInvoices(
        [HttpTrigger(AuthorizationLevel.Admin, ApiRoutes.Get, Route = ApiRoutes.Templates.AccountInvoices)] HttpRequest request, string accountId) =>
        api.InvokeAsync(ApiRoutes.Names.AccountInvoices, request, (nameof(accountId), accountId));

    [Function(ApiRoutes.Names.Invoice)]
    public Task<IResult> Invoice(
        [HttpTrigger(AuthorizationLevel.Admin, ApiRoutes.Get, Route = ApiRoutes.Templates.Invoice)] HttpRequest request, string invoiceId) =>
        api.InvokeAsync(ApiRoutes.Names.Invoice, request, (nameof(invoiceId), invoiceId));

    [Function(ApiRoutes.Names.InvoiceDocument)]
    public Task<IResult> InvoiceDocument(
        [HttpTrigger(AuthorizationLevel.Admin, ApiRoutes.Get, Route = ApiRoutes.Templates.InvoiceDocument)] HttpRequest request, string invoiceId) =>
        api.InvokeAsync(ApiRoutes.Names.InvoiceDocument, request, (nameof(invoiceId), invoiceId));

    [Function(ApiRoutes.Names.ListAccounts)]
    public Task<IResult> ListAccounts(
        [HttpTrigger(AuthorizationLevel.Admin, ApiRoutes.Get, Route = ApiRoutes.Templates.Accounts)] HttpRequest request) =>
        api.InvokeAsync(ApiRoutes.Names.ListAccounts, request);

    [Function(ApiRoutes.Names.GetAccount)]
    public Task<IResult> GetAccount(
        [HttpTrigger(AuthorizationLevel.Admin, ApiRoutes.Get, Route = ApiRoutes.Templates.Account)] HttpRequest request, string accountId) =>
        api.InvokeAsync(ApiRoutes.Names.GetAccount, request, (nameof(accountId), accountId));

    [Function(ApiRoutes.Names.ListRateDecks)]
    public Task<IResult> ListRateDecks(
        [HttpTrigger(AuthorizationLevel.Admin, ApiRoutes.Get, Route = ApiRoutes.Templates.RateDecks)] HttpRequest request) =>
        api.InvokeAsync(ApiRoutes.Names.ListRateDecks, request);

    [Function(ApiRoutes.Names.GetRateDeck)]
    public Task<IResult> GetRateDeck(
        [HttpTrigger(AuthorizationLevel.Admin, ApiRoutes.Get, Route = ApiRoutes.Templates.RateDeck)] HttpRequest request, string deckId) =>
        api.InvokeAsync(ApiRoutes.Names.GetRateDeck, request, (nameof(deckId), deckId));
}
