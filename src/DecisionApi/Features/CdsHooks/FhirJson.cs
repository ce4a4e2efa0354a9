using System.Text.Json;

namespace DecisionApi.Features.CdsHooks;

/// <summary>Small, defensive readers for FHIR R4 JSON: a missing or mistyped element reads as absent, never throws.</summary>
public static class FhirJson
{
    private static readonly string[] NotInForce = ["entered-in-error", "not-done", "not-taken", "draft", "cancelled", "revoked", "refuted"];
    private static readonly string[] RefutedVerifications = ["entered-in-error", "refuted"];

    public static string? Text(this JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>True when the string property equals <paramref name="value"/>; compares the raw JSON, allocating nothing.</summary>
    public static bool Is(this JsonElement element, string property, string value) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var found)
        && found.ValueKind == JsonValueKind.String && found.ValueEquals(value);

    /// <summary>True when the string property equals one of <paramref name="values"/>, without allocating.</summary>
    public static bool IsOneOf(this JsonElement element, string property, string[] values)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(property, out var found) || found.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        foreach (var value in values)
        {
            if (found.ValueEquals(value))
            {
                return true;
            }
        }

        return false;
    }

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

    /// <summary>
    /// Whether a resource can be about the patient the call is for: a Patient whose id is that patient's (or has no id),
    /// and any other resource whose <c>subject</c> or <c>patient</c> reference does not name another Patient. References
    /// that cannot be compared (urn:uuid: within a Bundle, contained, absent) are kept: the prefetch query asked for
    /// this patient.
    /// </summary>
    public static bool About(JsonElement resource, string? patientId)
    {
        if (string.IsNullOrEmpty(patientId))
        {
            return true;
        }

        if (resource.Text("resourceType") == "Patient")
        {
            return resource.Text("id") is not { } id || id == patientId;
        }

        foreach (var property in (string[])["subject", "patient"])
        {
            if (resource.Property(property)?.Text("reference") is { } reference && PatientIdOf(reference) is { } other && other != patientId)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The id in a Patient reference ("Patient/123", "https://ehr/fhir/Patient/123/_history/2"); null for any other form.</summary>
    public static string? PatientIdOf(string reference)
    {
        var start = reference.StartsWith("Patient/", StringComparison.Ordinal) ? 0
            : reference.LastIndexOf("/Patient/", StringComparison.Ordinal) is var at and >= 0 ? at + 1 : -1;
        if (start < 0)
        {
            return null;
        }

        var id = reference[(start + "Patient/".Length)..];
        var end = id.IndexOf('/', StringComparison.Ordinal);
        id = end < 0 ? id : id[..end];
        return id.Length == 0 ? null : id;
    }

    /// <summary>Whether every property name and string value can be read as text (valid UTF-8, no unpaired surrogate).</summary>
    public static bool AllStringsReadable(JsonElement element)
    {
        try
        {
            Read(element);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        static void Read(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Read(item);
                    }

                    break;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        Read(property.Value);
                    }

                    break;
            }
        }
    }

    /// <summary>The URL of the Bundle's next page, if any.</summary>
    public static string? NextPage(JsonElement bundle) =>
        bundle.Array("link").FirstOrDefault(link => link.Text("relation") == "next").Text("url");

    /// <summary>False for resources that were entered in error, not done, still draft, cancelled or refuted.</summary>
    public static bool InForce(JsonElement resource)
    {
        if (resource.IsOneOf("status", NotInForce))
        {
            return false;
        }

        if (resource.Property("verificationStatus") is not { } verification)
        {
            return true;
        }

        foreach (var coding in verification.Array("coding"))
        {
            if (coding.IsOneOf("code", RefutedVerifications))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>For orders being placed: draft counts, but entered-in-error, cancelled and revoked do not.</summary>
    public static bool InForceOrDraft(JsonElement order) => order.Text("status") is not ("entered-in-error" or "cancelled" or "revoked");

    /// <summary><c>system|code</c> keys of every coding of a CodeableConcept.</summary>
    public static IEnumerable<string> CodingKeys(JsonElement? codeableConcept) =>
        codeableConcept is { } concept
            ? concept.Array("coding").Select(c => FhirCodeMap.Key(c.Text("system"), c.Text("code")))
            : [];
}
