using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using ServerlessBilling.Api;
using ServerlessBilling.AzureAdapters.Blob;
using ServerlessBilling.AzureAdapters.ServiceBus;
using ServerlessBilling.Core;
using ServerlessBilling.Cosmos;
using ServerlessBilling.Functions.Hosting;
using ServerlessBilling.Functions.Http;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<ProblemMiddleware>(); // after the ASP.NET Core integration, so that it sees the HttpContext

builder.Services.AddServerlessBillingApi();
builder.Services.AddServerlessBillingCore(builder.Configuration);
builder.Services.AddCosmosStores(builder.Configuration);
builder.Services.AddBlobDocumentSink(builder.Configuration);
builder.Services.AddServiceBusAlertSink(builder.Configuration);
builder.Services.AddServerlessBillingFunctions(builder.Configuration);

builder.Build().Run();
