using System.Text.Json;

namespace DecisionApi.Features.CdsHooks;

/// <summary>Small, defensive readers for FHIR R4 JSON: a missing or mistyped element reads as absent, never throws.</summary>
public static class FhirJson
{
    private static readonly string[] NotInForce = ["entered-in-error", "not-done", "not-taken", "draft", "cancelled", "revoked", "refuted"];

    public static string? Text(this JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static JsonElement? Property(this JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static IEnumerable<JsonElement> Array(this JsonElement element, string property) =>
        element.Property(property) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    /// <summary>The resources of a Bundle, or the element itself when it is a single resource; OperationOutcomes are skipped.</summary>
    public static IEnumerable<JsonElement> Resources(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        if (element.Text("resourceType") == "Bundle")
        {
            return element.Array("entry")
                .Select(entry => entry.Property("resource"))
                .Where(resource => resource is { ValueKind: JsonValueKind.Object } r && r.Text("resourceType") != "OperationOutcome")
                .Select(resource => resource!.Value);
        }

        return element.Text("resourceType") is { } type && type != "OperationOutcome" ? [element] : [];
    }

    /// <summary>The URL of the Bundle's next page, if any.</summary>
    public static string? NextPage(JsonElement bundle) =>
        bundle.Array("link").FirstOrDefault(link => link.Text("relation") == "next").Text("url");

    /// <summary>False for resources that were entered in error, not done, still draft, cancelled or refuted.</summary>
    public static bool InForce(JsonElement resource)
    {
        var status = resource.Text("status");
        if (status is not null && NotInForce.Contains(status))
        {
            return false;
        }

        var verification = resource.Property("verificationStatus")?.Array("coding").Select(c => c.Text("code"));
        return verification is null || !verification.Any(code => code is "entered-in-error" or "refuted");
    }

    /// <summary>For orders being placed: draft counts, but entered-in-error, cancelled and revoked do not.</summary>
    public static bool InForceOrDraft(JsonElement order) => order.Text("status") is not ("entered-in-error" or "cancelled" or "revoked");

    /// <summary><c>system|code</c> keys of every coding of a CodeableConcept.</summary>
    public static IEnumerable<string> CodingKeys(JsonElement? codeableConcept) =>
        codeableConcept is { } concept
            ? concept.Array("coding").Select(c => FhirCodeMap.Key(c.Text("system"), c.Text("code")))
            : [];
}
