using ServerlessBilling.Api.Access;
using ServerlessBilling.Api.Endpoints;

namespace ServerlessBilling.Api;

/// <summary>Who may call a route: the switches (credit control) or operators (administration).</summary>
public enum ApiRole
{
    Switch,
    Admin,
}

/// <summary>
/// One operation of the HTTP contract. The local host maps it (with this record as endpoint metadata, so that
/// middleware can read <see cref="Role"/>); the Functions app binds one HTTP trigger to it by <see cref="Name"/>.
/// </summary>
/// <param name="Template">Relative to <see cref="ApiRoutes.Prefix"/>, which is also the Functions host's route prefix.</param>
public sealed record ApiRoute(string Name, string Method, string Template, ApiRole Role, Delegate Handler) : IKeyedEndpoint;

/// <summary>
/// The route table of the API. Names, methods and templates are constants because the Functions app's trigger
/// attributes need compile-time values; <see cref="All"/> ties each to its handler and role.
/// </summary>
public static class ApiRoutes
{
    public const string Prefix = "api";

    public const string Get = "GET";
    public const string Post = "POST";
    public const string Put = "PUT";

    public static class Names
    {
        public const string Authorize = "Authorize";
        public const string Interim = "Interim";
        public const string Terminate = "Terminate";
        public const string Balance = "Balance";
        public const string PutAccount = "PutAccount";
        public const string TopUp = "TopUp";
        public const string PutRateDeck = "PutRateDeck";
        public const string PostCdrs = "PostCdrs";
        public const string Usage = "Usage";
        public const string Quarantine = "Quarantine";
        public const string Alerts = "Alerts";
        public const string Suspend = "Suspend";
        public const string Resume = "Resume";
        public const string RunInvoices = "RunInvoices";
        public const string AccountInvoices = "AccountInvoices";
        public const string Invoice = "Invoice";
        public const string InvoiceDocument = "InvoiceDocument";
        public const string ListAccounts = "ListAccounts";
        public const string GetAccount = "GetAccount";
        public const string ListRateDecks = "ListRateDecks";
        public const string GetRateDeck = "GetRateDeck";
    }

    public static class Templates
    {
        public const string Authorize = "authorize";
        public const string Interim = "sessions/{sessionId}/interim";
        public const string Terminate = "sessions/{sessionId}/terminate";
        public const string Balance = "accounts/{accountId}/balance";
        public const string Account = "accounts/{accountId}";
        public const string TopUps = "accounts/{accountId}/topups";
        public const string RateDeck = "ratedecks/{deckId}";
        public const string Cdrs = "cdrs";
        public const string Usage = "accounts/{accountId}/usage";
        public const string Quarantine = "quarantine";
        public const string Alerts = "alerts";
        public const string Suspend = "accounts/{accountId}/suspend";
        public const string Resume = "accounts/{accountId}/resume";
        public const string RunInvoices = "invoices/run";
        public const string AccountInvoices = "accounts/{accountId}/invoices";
        public const string Invoice = "invoices/{invoiceId}";
        public const string InvoiceDocument = "invoices/{invoiceId}/document";
        public const string Accounts = "accounts";
        public const string RateDecks = "ratedecks";
    }

    public static readonly IReadOnlyList<ApiRoute> All =
    [
        new(Names.Authorize, Post, Templates.Authorize, ApiRole.Switch, CreditControlEndpoints.Authorize),
        new(Names.Interim, Post, Templates.Interim, ApiRole.Switch, CreditControlEndpoints.Interim),
        new(Names.Terminate, Post, Templates.Terminate, ApiRole.Switch, CreditControlEndpoints.Terminate),
        new(Names.Balance, Get, Templates.Balance, ApiRole.Switch, AccountEndpoints.Balance),
        new(Names.PutAccount, Put, Templates.Account, ApiRole.Admin, AccountEndpoints.Put),
        new(Names.TopUp, Post, Templates.TopUps, ApiRole.Admin, AccountEndpoints.TopUp),
        new(Names.PutRateDeck, Put, Templates.RateDeck, ApiRole.Admin, AccountEndpoints.PutRateDeck),
        new(Names.PostCdrs, Post, Templates.Cdrs, ApiRole.Admin, CdrEndpoints.Post),
        new(Names.Usage, Get, Templates.Usage, ApiRole.Admin, CdrEndpoints.Usage),
        new(Names.Quarantine, Get, Templates.Quarantine, ApiRole.Admin, CdrEndpoints.Quarantine),
        new(Names.Alerts, Get, Templates.Alerts, ApiRole.Admin, AlertEndpoints.List),
        new(Names.Suspend, Post, Templates.Suspend, ApiRole.Admin, AccountEndpoints.Suspend),
        new(Names.Resume, Post, Templates.Resume, ApiRole.Admin, AccountEndpoints.Resume),
        new(Names.RunInvoices, Post, Templates.RunInvoices, ApiRole.Admin, InvoiceEndpoints.Run),
        new(Names.AccountInvoices, Get, Templates.AccountInvoices, ApiRole.Admin, InvoiceEndpoints.ListForAccount),
        new(Names.Invoice, Get, Templates.Invoice, ApiRole.Admin, InvoiceEndpoints.Get),
        new(Names.InvoiceDocument, Get, Templates.InvoiceDocument, ApiRole.Admin, InvoiceEndpoints.Document),
        new(Names.ListAccounts, Get, Templates.Accounts, ApiRole.Admin, AccountEndpoints.List),
        new(Names.GetAccount, Get, Templates.Account, ApiRole.Admin, AccountEndpoints.Get),
        new(Names.ListRateDecks, Get, Templates.RateDecks, ApiRole.Admin, AccountEndpoints.ListRateDecks),
        new(Names.GetRateDeck, Get, Templates.RateDeck, ApiRole.Admin, AccountEndpoints.ExportRateDeck),
    ];

    /// <summary>The route of that name; a name missing from the table is a programming error.</summary>
    public static ApiRoute Named(string name) =>
        All.FirstOrDefault(r => r.Name == name) ?? throw new ArgumentException($"no API route is named '{name}'", nameof(name));
}
