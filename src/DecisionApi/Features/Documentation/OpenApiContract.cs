using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DecisionApi.Features.CdsHooks;
using DecisionApi.Infrastructure;
using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace DecisionApi.Features.Documentation;

/// <summary>
/// Makes the document say what the API enforces: security schemes per operation, the error responses every operation
/// can return with their real body types, request ranges and the store's vocabulary codes as enums (read from the
/// loaded <see cref="RuleStoreSnapshot"/> at start, so they never drift), required response fields, a short fixed response
/// example and the CDS Hooks bodies as schemas with named examples (both from docs/examples, <see cref="ApiExamples"/>). Response schemas never set
/// additionalProperties: false, so adding a response field stays a non-breaking change.
/// </summary>
/// <remarks>Swashbuckle builds its filters once, from the root service provider: the filter takes the live store (a
/// singleton) and reads the serving engine each time the document is built, never a request-scoped snapshot.</remarks>
/// <remarks>The document says what holds where it is served: the server's description names the environment, and where
/// API keys or CDS Hooks JWTs are off (Development by default) the operations need none and their tags say so. The
/// committed openapi/decision-api.v1.json is the document as Production serves it (keys and JWTs on).</remarks>
public sealed class OpenApiContractFilter(
    LiveRuleStore live,
    IOptions<CdsHooksOptions> cdsOptions,
    IOptions<ApiKeyOptions> keyOptions,
    IHostEnvironment environment) : IDocumentFilter
{
    public const string ApiKeyScheme = "ApiKey";
    public const string CdsJwtScheme = "CdsHooksJwt";
    private const string Problem = "application/problem+json";
    private const string Fhir = "application/fhir+json";

    private static readonly (string Name, string Description)[] TagDescriptions =
    [
        ("Evaluations", "The evidence summary for a de-identified adult knee-OA profile."),
        ("CDS Hooks", "HL7 CDS Hooks 2.0 for EHRs: discovery, one service id per hook, the card, and feedback."),
        ("Vocabularies", "The treatment and condition codes a request may use, with their FHIR code mappings."),
        ("Rules", "The curated rules of the loaded rule store, with their conditions and sources."),
        ("Sources", "The bibliographic sources every statement cites."),
        ("Claim checks", "Common marketing claims about stem-cell knee injections, checked against the sources."),
        ("About", "What the service is for, its intended users and the loaded rule store."),
        ("Health", "Liveness and readiness probes for orchestrators; no authentication."),
    ];

    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        var engine = live.Current;
        var document = swaggerDoc;
        document.Info.Contact = new OpenApiContact { Name = "DecisionApi maintainers", Email = "decision-api@example.org", Url = new Uri("https://example.org/decision-api") };
        document.Info.License = new OpenApiLicense { Name = "Apache-2.0", Url = new Uri("https://www.apache.org/licenses/LICENSE-2.0") };
        document.Servers = [new OpenApiServer { Url = "/", Description = $"{environment.EnvironmentName}: this service (the host that served this document)", Extensions = new Dictionary<string, IOpenApiExtension> { ["x-internal"] = new JsonNodeExtension(JsonValue.Create(false)) } }];
        document.Tags = new HashSet<OpenApiTag>(TagDescriptions.Select(t => new OpenApiTag { Name = t.Name, Description = t.Name switch
        {
            "Evaluations" => t.Description + (KeysOn ? " Needs an X-Api-Key." : $" No X-Api-Key is needed here: API keys are off in {environment.EnvironmentName} (ApiKeys:Enabled); they are on by default everywhere else."),
            "CDS Hooks" => t.Description + (JwtOn ? " Needs a CDS Hooks JWT (bearer) signed by a registered EHR." : $" No JWT is needed here: CDS Hooks authentication is off in {environment.EnvironmentName} (CdsHooks:Authentication:Enabled); it is on by default everywhere else."),
            _ => t.Description,
        } }));

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "X-Api-Key",
            Description = "An API key issued to the portal (configured as ApiKeys:Keys:N:Name and the key's SHA-256 in ApiKeys:Keys:N:Sha256). Required on /v1/* when ApiKeys:Enabled is true.",
        };
        document.Components.SecuritySchemes[CdsJwtScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The CDS Hooks 2.0 JWT the EHR signs with a key from its registered JWK Set (iss, sub, aud = this service's URL, exp, jti), validated following RFC8725 (JWT best current practices): the algorithm is pinned to the key, never \"none\".",
        };

        AddSchemas(document, engine.Snapshot);
        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations ?? [])
            {
                ApplyOperation(document, path, method, operation, engine.Snapshot);
            }
        }
    }

    private bool KeysOn => ApiKeyOptions.IsEnabled(keyOptions.Value, environment);

    private bool JwtOn => DecisionApi.Features.CdsHooks.Security.CdsJwtAuthenticationHandler.IsAuthenticationEnabled(cdsOptions.Value, environment);

    private static void AddSchemas(OpenApiDocument document, RuleStoreSnapshot store)
    {
        var schemas = document.Components!.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        schemas["CdsHooksRequest"] = CdsRequestSchema();
        schemas["CdsFeedback"] = FeedbackSchema();

        if (schemas.TryGetValue("EvaluationRequest", out var r) && r is OpenApiSchema request)
        {
            foreach (var bound in store.Bounds.All)
            {
                SetRange(request, bound.Field, bound.Min, bound.Max);
            }

            SetCodes(request, "priorTreatments", store.Treatments.Select(t => t.Code), store.Treatments.Count * 2);
            SetCodes(request, "conditions", store.Conditions.Select(c => c.Code), store.Conditions.Count * 2);
            if (request.Properties?["jurisdiction"] is OpenApiSchema jurisdiction)
            {
                jurisdiction.Pattern = "^[A-Za-z]{2}$";
                jurisdiction.MinLength = 2;
                jurisdiction.MaxLength = 2;
            }
        }

        // Content-driven values grow with the rule store (a store release may add one): plain strings with the current
        // values in x-extensible-enum, never a closed enum that makes a generated client fail or drop an unknown value.
        var extensible = new Dictionary<(string Schema, string Property), IEnumerable<string>>
        {
            [("AssessmentResult", "category")] = Vocab.Categories,
            [("RuleView", "category")] = Vocab.Categories,
            [("EvidenceItem", "certainty")] = Vocab.Certainties,
            [("EvidenceItem", "direction")] = Vocab.Directions,
            [("EvidenceItem", "topic")] = Vocab.Topics,
            [("EffectEstimate", "outcome")] = Vocab.EffectOutcomes,
            [("EffectEstimate", "measure")] = Vocab.EffectMeasures,
            [("EffectEstimate", "certainty")] = Vocab.EffectCertainties,
            [("EffectEstimate", "verification")] = Vocab.Verifications,
            [("ClaimCheckItem", "verdict")] = Vocab.Verdicts,
            [("ConventionalOption", "strength")] = Vocab.Strengths,
            [("ConventionalOption", "treatment")] = store.Treatments.Select(t => t.Code),
            [("CaveatItem", "severity")] = Vocab.Severities,
            [("CodeMapping", "verification")] = Vocab.Verifications,
            [("Source", "verification")] = Vocab.Verifications,
            [("RecognitionView", "verification")] = Vocab.Verifications,
            [("RecognitionView", "kind")] = Vocab.RecognitionKinds.All,
            [("RecognitionView", "treatment")] = store.Treatments.Select(t => t.Code),
            [("RecognitionView", "topicalTreatment")] = store.Treatments.Select(t => t.Code),
            [("Source", "kind")] = Vocab.SourceKinds,
            [("VocabularyItem", "category")] = Vocab.TreatmentCategories,
        };
        foreach (var ((schemaName, property), values) in extensible)
        {
            if (schemas.TryGetValue(schemaName, out var s) && s is OpenApiSchema schema && schema.Properties?.TryGetValue(property, out var p) == true && p is OpenApiSchema prop)
            {
                Extensible(prop, values);
            }
        }

        // Closed vocabularies fixed by the standards the service speaks (CDS Hooks, FHIR): closed enums, never null in them.
        var enums = new Dictionary<(string Schema, string Property), IEnumerable<string>>
        {
            [("CdsCard", "indicator")] = ["info", "warning", "critical"],
            [("OperationOutcome", "resourceType")] = ["OperationOutcome"],
            [("OperationOutcomeIssue", "severity")] = ["fatal", "error", "warning", "information"],
        };
        foreach (var ((schemaName, property), values) in enums)
        {
            if (schemas.TryGetValue(schemaName, out var s) && s is OpenApiSchema schema && schema.Properties?.TryGetValue(property, out var p) == true && p is OpenApiSchema prop)
            {
                prop.Enum = [.. values.Distinct(StringComparer.Ordinal).Select(v => (JsonNode)JsonValue.Create(v)!)];
            }
        }

        // Every problem body carries the request's trace id (the request log's traceId), to quote in a support request.
        foreach (var problem in new[] { "ProblemDetails", "HttpValidationProblemDetails" })
        {
            if (schemas.TryGetValue(problem, out var ps) && ps is OpenApiSchema problemSchema && problemSchema.Properties is { } problemProperties)
            {
                problemProperties["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200, Description = "The request's trace id, as in the service's request log: quote it when reporting a problem." };
            }
        }

        // Required: every property the API always sends (the non-nullable ones) on every response schema.
        foreach (var (name, s) in schemas)
        {
            if (name is "EvaluationRequest" or "CdsHooksRequest" or "CdsFeedback" || s is not OpenApiSchema schema || schema.Properties is null)
            {
                continue;
            }

            // Never additionalProperties: false on a response: a client must accept fields added later.
            schema.AdditionalPropertiesAllowed = true;
            schema.AdditionalProperties = null;
            var required = schema.Properties
                .Where(p => p.Value is OpenApiSchemaReference || (p.Value is OpenApiSchema ps && ps.Type is { } type && !type.HasFlag(JsonSchemaType.Null)))
                .Select(p => p.Key);
            schema.Required = name switch
            {
                // Every problem this service writes has a title and a status; validation problems name the fields.
                "ProblemDetails" => new HashSet<string>(["title", "status"], StringComparer.Ordinal),
                "HttpValidationProblemDetails" => new HashSet<string>(["title", "status", "errors"], StringComparer.Ordinal),
                _ => new HashSet<string>(required, StringComparer.Ordinal),
            };
        }
    }

    private static void SetRange(OpenApiSchema request, string property, double min, double max)
    {
        if (request.Properties?.TryGetValue(property, out var p) == true && p is OpenApiSchema schema)
        {
            schema.Minimum = min.ToString(CultureInfo.InvariantCulture);
            schema.Maximum = max.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static void SetCodes(OpenApiSchema request, string property, IEnumerable<string> codes, int maxItems)
    {
        if (request.Properties?.TryGetValue(property, out var p) == true && p is OpenApiSchema array)
        {
            array.MaxItems = maxItems;
            var item = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 100, Description = $"A code that GET /v1/{property.Replace("prior", "", StringComparison.Ordinal).ToLowerInvariant()} lists; the API rejects others with 400." };
            Extensible(item, codes);
            array.Items = item;
        }
    }

    /// <summary>The convention for a value that grows with the rule store (Zalando's x-extensible-enum): a plain string,
    /// the current values listed, and the client told to expect others.</summary>
    public const string ExtensibleEnum = "x-extensible-enum";

    private static void Extensible(OpenApiSchema schema, IEnumerable<string> values)
    {
        var current = values.Distinct(StringComparer.Ordinal).ToList();
        schema.Enum = null;
        schema.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        schema.Extensions[ExtensibleEnum] = new JsonNodeExtension(new JsonArray([.. current.Select(v => (JsonNode)JsonValue.Create(v)!)]));
        var listed = !string.IsNullOrEmpty(schema.Description) && current.All(v => schema.Description.Contains(v, StringComparison.Ordinal));
        var note = "Grows with the rule store (x-extensible-enum" + (listed ? " lists the current values" : ": currently " + string.Join(", ", current))
            + "): a store release may add a value, so treat an unknown one as valid and show it as given.";
        schema.Description = string.IsNullOrEmpty(schema.Description) ? note : schema.Description.TrimEnd() + " " + note;
    }

    private void ApplyOperation(OpenApiDocument document, string path, HttpMethod method, OpenApiOperation operation, RuleStoreSnapshot store)
    {
        operation.Responses ??= [];
        var isCds = path.StartsWith("/cds-services", StringComparison.Ordinal);
        var isV1 = path.StartsWith("/v1/", StringComparison.Ordinal);
        if (!isCds && !isV1)
        {
            if (path == "/health/ready")
            {
                operation.Responses["503"] = Response(document, "The rule store is not loaded or not verified: not ready.", "application/json", "HealthResponse");
            }

            operation.Security = [];
            return;
        }

        var scheme = isCds ? CdsJwtScheme : ApiKeyScheme;
        var (media, body) = isCds ? (Fhir, "OperationOutcome") : (Problem, "ProblemDetails");
        if (isCds ? JwtOn : KeysOn)
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, document)] = [] }];
            // Documented as sent: CDS Hooks 2.0 answers a refused JWT with a bare 401 and no body; REST with problem+json.
            var unauthorized = isCds
                ? new OpenApiResponse { Description = "The CDS Hooks JWT is missing, invalid, expired, longer-lived than the cap, replayed, or not signed by a registered EHR. No body (as CDS Hooks 2.0 specifies)." }
                : Response(document, "The X-Api-Key header is missing or not a configured key.", Problem, body);
            unauthorized.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["WWW-Authenticate"] = new OpenApiHeader
                {
                    Description = "The authentication scheme to use.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create(isCds ? "Bearer" : "ApiKey header=\"X-Api-Key\"")!] },
                },
            };
            operation.Responses["401"] = unauthorized;
        }
        else
        {
            // Off where this document is served: Swagger UI shows no lock and "Try it out" needs no credential.
            operation.Security = [];
        }

        var tooMany = Response(document, "Too many requests from this client: wait the seconds in Retry-After.", media, body);
        tooMany.Headers = new Dictionary<string, IOpenApiHeader>
        {
            ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait before retrying.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = "86400" } },
        };
        operation.Responses["429"] = tooMany;
        if (method == HttpMethod.Post)
        {
            operation.Responses["413"] = Response(document, "The body is larger than the configured limit.", media, body);
            operation.Responses["415"] = Response(document, "The body is not application/json in UTF-8.", media, body);
            if (isCds)
            {
                operation.Responses["400"] = Response(document, "The body is not a valid CDS Hooks request (named in the diagnostics).", Fhir, "OperationOutcome");
            }
        }

        foreach (var (code, response) in operation.Responses)
        {
            if (response is OpenApiResponse r && r.Content is { } content && code.StartsWith('4'))
            {
                foreach (var (key, mt) in content.ToList())
                {
                    if (isV1 && key == "application/json" && mt.Schema is OpenApiSchemaReference)
                    {
                        content.Remove(key);
                        content[Problem] = mt;
                    }
                }
            }
        }

        foreach (var parameter in operation.Parameters ?? [])
        {
            if (parameter is OpenApiParameter { In: ParameterLocation.Path, Name: "id" } id && isCds)
            {
                var defaultId = cdsOptions.Value.IdFor("order-sign");
                id.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[a-z0-9-]{1,64}$", MaxLength = 64, Default = JsonValue.Create(defaultId) };
                id.Example = JsonValue.Create(defaultId);
            }
            else if (parameter is OpenApiParameter { In: ParameterLocation.Path, Name: "id" } storeId)
            {
                var example = path.StartsWith("/v1/rules", StringComparison.Ordinal) ? store.Rules[0].Id : store.Sources[0].Id;
                storeId.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[A-Za-z0-9._-]{1,100}$", MaxLength = 100 };
                storeId.Example = JsonValue.Create(example);
            }
        }

        switch (operation.OperationId)
        {
            case "EvaluateProfile":
                // A short, fixed excerpt (docs/examples), not computed from the live store: a content edit does not change the contract.
                if (operation.Responses["200"] is OpenApiResponse ok && ok.Content?.TryGetValue("application/json", out var okMedia) == true)
                {
                    okMedia.Example = ApiExamples.EvaluationResponse();
                }

                break;
            case "CdsServiceCall":
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "A CDS Hooks 2.0 request for order-select, order-sign or patient-view.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new OpenApiMediaType
                        {
                            Schema = new OpenApiSchemaReference("CdsHooksRequest", document),
                            Examples = Examples(ApiExamples.CdsRequests),
                        },
                    },
                };
                break;
            case "CdsFeedback":
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "CDS Hooks 2.0 feedback: what the clinician did with each card.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new OpenApiMediaType
                        {
                            Schema = new OpenApiSchemaReference("CdsFeedback", document),
                            Examples = Examples(ApiExamples.CdsFeedback),
                        },
                    },
                };
                break;
        }
    }

    private static OpenApiResponse Response(OpenApiDocument document, string description, string media, string schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { [media] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(schema, document) } },
    };

    /// <summary>Named examples from docs/examples, in the order given.</summary>
    public static Dictionary<string, IOpenApiExample> Examples(IEnumerable<ApiExamples.Example> examples) =>
        examples.ToDictionary(e => e.Name, e => (IOpenApiExample)new OpenApiExample { Summary = e.Summary, Value = ApiExamples.Read(e.File) });

    private static OpenApiSchema Str(string description, int maxLength = 200) =>
        new() { Type = JsonSchemaType.String, Description = description, MaxLength = maxLength };

    // additionalProperties: {} written out (not left to the default), so generators type it as an open object
    // (openapi-typescript: { [key: string]: unknown }) rather than one with no properties allowed.
    private static OpenApiSchema AnyObject(string description) =>
        new() { Type = JsonSchemaType.Object, Description = description, AdditionalPropertiesAllowed = true, AdditionalProperties = new OpenApiSchema() };

    private static OpenApiSchema CdsRequestSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "A CDS Hooks 2.0 request.",
        Required = new HashSet<string> { "hook", "hookInstance", "context" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            // A pattern, not an enum: a generated C# enum cannot write the hyphenated values (NSwag, System.Text.Json).
            ["hook"] = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^(order-select|order-sign|patient-view)$", MaxLength = 64, Description = "The hook that fired: order-select, order-sign or patient-view." },
            ["hookInstance"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid", MaxLength = 64, Description = "A UUID for this firing of the hook." },
            ["fhirServer"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri", MaxLength = 2048, Description = "The EHR's FHIR base URL; used only when it is on this service's allowlist." },
            ["fhirAuthorization"] = AnyObject("The OAuth 2.0 bearer token for fhirServer (access_token, token_type, expires_in, scope, subject)."),
            ["context"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Hook context: userId, patientId, and for the order hooks draftOrders (a FHIR Bundle) and, for order-select, selections. Other context fields a hook defines are allowed and ignored.",
                Required = new HashSet<string> { "patientId" },
                AdditionalPropertiesAllowed = true,
                AdditionalProperties = new OpenApiSchema(),
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["userId"] = Str("The user, e.g. Practitioner/prac-17."),
                    ["patientId"] = Str("The FHIR id of the patient.", 64),
                    ["encounterId"] = Str("The FHIR id of the encounter.", 64),
                    ["draftOrders"] = AnyObject("A FHIR Bundle of the draft orders (order-select, order-sign)."),
                    ["selections"] = new OpenApiSchema { Type = JsonSchemaType.Array, MaxItems = 100, Items = Str("A selected order, e.g. ServiceRequest/sr-msc."), Description = "The orders just selected (order-select)." },
                },
            },
            ["prefetch"] = AnyObject("The prefetch keys listed by discovery (patient, kneeOaConditions, klGradeObservations, bmiObservations, procedures, medicationStatements, medicationRequests, carePlans, serviceRequests), each a FHIR resource or Bundle."),
        },
    };

    private static OpenApiSchema FeedbackSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "CDS Hooks 2.0 feedback.",
        Required = new HashSet<string> { "feedback" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["feedback"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                MinItems = 1,
                MaxItems = 50,
                Items = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string> { "card", "outcome", "outcomeTimestamp" },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["card"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid", MaxLength = 36, Description = "The uuid of the card." },
                        ["outcome"] = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^(accepted|overridden)$", MaxLength = 20, Description = "What the clinician did: accepted needs acceptedSuggestions; overridden needs overrideReason (a reason or a userComment)." },
                        ["outcomeTimestamp"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", MaxLength = 64, Description = "When (RFC 3339)." },
                        ["acceptedSuggestions"] = new OpenApiSchema { Type = JsonSchemaType.Array, MaxItems = 20, Items = AnyObject("An accepted suggestion ({\"id\": ...})."), Description = "Accepted suggestions." },
                        ["overrideReason"] = AnyObject("Why the card was overridden: reason (a coding from the card's overrideReasons) and/or userComment."),
                    },
                },
            },
        },
    };
}
