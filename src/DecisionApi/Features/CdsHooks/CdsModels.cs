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
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<CdsLink>? Links);

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
