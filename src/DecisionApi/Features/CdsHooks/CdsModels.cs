using System.Text.Json.Serialization;

namespace DecisionApi.Features.CdsHooks;

/// <summary>CDS Hooks discovery response.</summary>
public sealed record CdsDiscoveryResponse(IReadOnlyList<CdsServiceDescription> Services);

/// <summary>One CDS Service entry.</summary>
/// <param name="Hook">The hook this entry answers.</param>
/// <param name="Title">Human-readable name.</param>
/// <param name="Description">What the service does.</param>
/// <param name="Id">The {id} of POST /cds-services/{id}.</param>
/// <param name="Prefetch">Prefetch templates, by key.</param>
/// <param name="UsageRequirements">What the EHR must send.</param>
public sealed record CdsServiceDescription(
    string Hook, string Title, string Description, string Id, IReadOnlyDictionary<string, string> Prefetch, string UsageRequirements);

/// <summary>CDS Hooks service response.</summary>
public sealed record CdsResponse(IReadOnlyList<CdsCard> Cards);

/// <summary>A CDS Hooks 2.0 card.</summary>
public sealed record CdsCard(
    string Uuid,
    string Summary,
    string Indicator,
    string Detail,
    CdsSource Source,
    IReadOnlyList<CdsCoding> OverrideReasons,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<CdsLink>? Links)
{
    /// <summary>What the clinician may do with one click (issue #24): options, never orders. Omitted when there are none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<CdsSuggestion>? Suggestions { get; init; }

    /// <summary>"at-most-one" whenever there are suggestions (CDS Hooks 2.0: required with suggestions).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SelectionBehavior { get; init; }
}

/// <summary>A CDS Hooks 2.0 suggestion: a label in the request's language, a uuid the feedback names, and its actions.</summary>
public sealed record CdsSuggestion(
    string Label,
    string Uuid,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? IsRecommended,
    IReadOnlyList<CdsAction> Actions);

/// <summary>A suggestion's action: delete names the draft order (resourceId); create carries the draft resource.</summary>
public sealed record CdsAction(
    string Type,
    string Description,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CdsDraftServiceRequest? Resource,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ResourceId);

/// <summary>The FHIR R4 ServiceRequest a create action proposes: a draft (intent proposal) for the patient, never an order.</summary>
public sealed record CdsDraftServiceRequest(string ResourceType, string Status, string Intent, CdsCodeableConcept Code, CdsReference Subject);

/// <summary>A FHIR CodeableConcept.</summary>
public sealed record CdsCodeableConcept(IReadOnlyList<CdsCoding> Coding, string Text);

/// <summary>A FHIR Reference.</summary>
public sealed record CdsReference(string Reference);

/// <summary>Where the card's guidance comes from; the topic is the assessment category, for EHR analytics.</summary>
public sealed record CdsSource(string Label, string? Url, CdsCoding? Topic);

public sealed record CdsCoding(string System, string Code, string Display);

public sealed record CdsLink(string Label, string Url, string Type);

/// <summary>A FHIR OperationOutcome, the body of every CDS Hooks error except 401.</summary>
public sealed record OperationOutcome(IReadOnlyList<OperationOutcomeIssue> Issue)
{
    [JsonPropertyOrder(-1)]
    public string ResourceType => "OperationOutcome";

    public static IResult Result(int statusCode, string code, string diagnostics) => TypedResults.Json(
        new OperationOutcome([new OperationOutcomeIssue("error", code, diagnostics)]),
        statusCode: statusCode,
        contentType: "application/fhir+json");
}

public sealed record OperationOutcomeIssue(string Severity, string Code, string Diagnostics);
