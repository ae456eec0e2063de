using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace ServerlessBilling.Local.Hosting.OpenApi;

/// <summary>The OpenAPI document at /openapi/v1.json and its reference page at /scalar, on the local host.</summary>
public static class LocalOpenApi
{
    public const string DocumentPath = "/openapi/v1.json";

    public const string ReferencePath = "/scalar";

    private static readonly Dictionary<string, ApiOperation> Operations =
        ApiOperations.All.ToDictionary(o => o.Key, StringComparer.OrdinalIgnoreCase);

    public static IServiceCollection AddLocalOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "ServerlessBilling",
                    Version = "v1",
                    Description = "Credit control for switches, CDR ingestion and rating, accounts and rate decks. "
                        + "JSON in camelCase; amounts are JSON numbers in the account's currency; times are ISO 8601 with an offset; "
                        + "errors are application/problem+json with a detail that says what is wrong. "
                        + "A business denial (credit limit, unknown account, unrated destination) is 200 with a resultCode.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(DescribeAsync);
        });

    public static IEndpointRouteBuilder MapLocalOpenApi(this IEndpointRouteBuilder routes)
    {
        routes.MapOpenApi(DocumentPath);
        routes.MapScalarApiReference(ReferencePath, o => o.WithTitle("ServerlessBilling API").WithOpenApiRoutePattern(DocumentPath));
        return routes;
    }

    private static async Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        if (!Operations.TryGetValue($"{description.HttpMethod} {description.RelativePath}", out var declared))
        {
            return;
        }

        operation.Summary = declared.Summary;
        operation.Tags = new HashSet<OpenApiTagReference> { new(declared.Tag) };
        if (declared.Request is not null || declared.CsvExample is not null)
        {
            var content = new Dictionary<string, OpenApiMediaType>();
            foreach (var type in declared.RequestContentTypes)
            {
                var json = type == "application/json";
                content[type] = new OpenApiMediaType
                {
                    Schema = json && declared.Request is not null
                        ? await context.GetOrCreateSchemaAsync(declared.Request, null, cancellationToken)
                        : new OpenApiSchema { Type = JsonSchemaType.String },
                    Example = json ? Example(declared.RequestExample, json: true) : Example(declared.CsvExample, json: false),
                };
            }

            if (declared.RequiredFields.Count > 0 && content.GetValueOrDefault("application/json")?.Schema is OpenApiSchema body)
            {
                body.Required = new HashSet<string>(declared.RequiredFields, StringComparer.Ordinal);
            }

            operation.RequestBody = new OpenApiRequestBody { Required = true, Content = content };
        }

        if (declared.Query.Count > 0)
        {
            operation.Parameters ??= [];
            foreach (var query in declared.Query)
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = query.Name,
                    In = ParameterLocation.Query,
                    Required = query.Required,
                    Description = query.Description,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }
        }

        operation.Responses = new OpenApiResponses
        {
            ["200"] = new OpenApiResponse
            {
                Description = "OK",
                Content = declared.AnswerContentTypes is { } documents
                    ? documents.ToDictionary(t => t, t => t == "text/csv"
                        ? new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String }, Example = Example(declared.AnswerExample, json: false) }
                        : new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } })
                    : new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new()
                        {
                            Schema = await context.GetOrCreateSchemaAsync(declared.Answer, null, cancellationToken),
                            Example = Example(declared.AnswerExample, json: true),
                        },
                    },
            },
        };
        var problem = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken);
        foreach (var (status, why) in declared.Errors)
        {
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = why,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = problem } },
            };
        }
    }

    private static JsonNode? Example(string? text, bool json) =>
        text is null ? null : json ? JsonNode.Parse(text) : JsonValue.Create(text.ReplaceLineEndings("\n") + "\n");
}
