using System.Text.Json.Nodes;
using DecisionApi.Infrastructure;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace DecisionApi.Features.Documentation;

public static class OpenApiSetup
{
    public const string DocumentName = "v1";

    /// <summary>The OpenAPI document and Swagger UI under /swagger; their middleware is not asked on every API call.</summary>
    public static WebApplication UseDecisionApiDocumentation(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/swagger", StringComparison.OrdinalIgnoreCase), swagger =>
        {
            swagger.UseSwagger();
            swagger.UseSwaggerUI(options =>
            {
                options.SwaggerEndpoint($"/swagger/{DocumentName}/swagger.json", "DecisionApi v1");
                options.DocumentTitle = "DecisionApi";
            });
        });
        return app;
    }

    public static IServiceCollection AddDecisionApiOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "DecisionApi",
                Version = "v1",
                Description =
                    "Clinical decision support for one question: an adult with knee osteoarthritis asks about a stem-cell (MSC) " +
                    "injection. POST a profile to /v1/evaluations and get an honest evidence summary: assessment, the two core " +
                    "caveats (ACR/AF strongly recommends against; no MSC product is FDA-approved for OA), evidence with its " +
                    "certainty, safety points, claim checks and first-line options, every sentence with its sources, from a " +
                    "curated, versioned rule store. Decision support only, not a directive. Errors are application/problem+json." +
                    " Values that come from the rule store (codes, kinds, categories, topics, certainty, verdicts...) are strings " +
                    "listed in x-extensible-enum: a store release may add one, so a client keeps and shows an unknown value and " +
                    "never fails on it. Closed enums are kept for the standards' fixed vocabularies only.",
            });
            foreach (var assembly in new[] { typeof(Program).Assembly, typeof(RuleStore.RuleStoreSnapshot).Assembly })
            {
                var xml = Path.Combine(AppContext.BaseDirectory, assembly.GetName().Name + ".xml");
                if (File.Exists(xml))
                {
                    options.IncludeXmlComments(xml);
                }
            }

            options.SupportNonNullableReferenceTypes();
            options.OperationFilter<AcceptLanguageHeaderFilter>();
            options.OperationFilter<EvaluationExamplesFilter>();
            options.DocumentFilter<OpenApiContractFilter>();
        });
        return services;
    }
}

/// <summary>Documents <c>Accept-Language</c> on the operations whose text is localized (their handler takes a <see cref="RequestLanguage"/>), and the <c>Content-Language</c> their answers carry.</summary>
public sealed class AcceptLanguageHeaderFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (!context.MethodInfo.GetParameters().Any(p => p.ParameterType == typeof(RequestLanguage)))
        {
            return;
        }

        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "Accept-Language",
            In = ParameterLocation.Header,
            Required = false,
            Description = "Language of the text: en (default) or zh (Simplified Chinese; zh-CN and zh-Hans also work). Codes and ids never change. The response carries Content-Language.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200 },
            Example = JsonValue.Create("en"),
        });

        foreach (var (code, response) in operation.Responses ?? [])
        {
            if (code.StartsWith('2') && response is OpenApiResponse answer)
            {
                answer.Headers ??= new Dictionary<string, IOpenApiHeader>();
                answer.Headers["Content-Language"] = new OpenApiHeader
                {
                    Description = "The language of the text: en or zh-Hans (chosen from Accept-Language). The response also carries Vary: Accept-Language.",
                    Required = true,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 35 },
                };
            }
        }
    }
}

/// <summary>Named request examples for POST /v1/evaluations (docs/examples), so Swagger UI can try typical profiles in one click.</summary>
public sealed class EvaluationExamplesFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (operation.OperationId != "EvaluateProfile" || operation.RequestBody?.Content is not { } content
            || !content.TryGetValue("application/json", out var mediaType))
        {
            return;
        }

        mediaType.Examples = OpenApiContractFilter.Examples(ApiExamples.EvaluationRequests);
    }
}
