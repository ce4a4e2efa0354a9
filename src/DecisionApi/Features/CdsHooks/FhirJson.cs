using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace DecisionApi.Features.CdsHooks;

/// <summary>Small, defensive readers for FHIR R4 JSON: a missing or mistyped element reads as absent, never throws.</summary>
public static class FhirJson
{
    private static readonly string[] NotInForce = ["entered-in-error", "not-done", "not-taken", "draft", "cancelled", "revoked", "refuted"];
    private static readonly string[] RefutedVerifications = ["entered-in-error", "refuted"];
    private static readonly string[] UnconfirmedVerifications = ["provisional", "differential", "unconfirmed"];

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

    /// <summary>The items of an array property, or none. A struct enumerator: a <c>foreach</c> over it allocates nothing.</summary>
    public static JsonElement.ArrayEnumerator Array(this JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : EmptyArray.EnumerateArray();

    private static readonly JsonElement EmptyArray = JsonDocument.Parse("[]").RootElement.Clone();

    /// <summary>The resources of a Bundle, or the element itself when it is a single resource; OperationOutcomes are skipped.</summary>
    public static List<JsonElement> Resources(JsonElement element)
    {
        var resources = new List<JsonElement>();
        AddResources(element, patientId: null, resources);
        return resources;
    }

    /// <summary>
    /// Adds the resources of a Bundle, or the element itself when it is a single resource, that can be about
    /// <paramref name="patientId"/> (see <see cref="About"/>); OperationOutcomes are skipped.
    /// </summary>
    public static void AddResources(JsonElement element, string? patientId, List<JsonElement> into)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("resourceType", out var type) || type.ValueKind != JsonValueKind.String)
        {
            return;
        }

        if (!type.ValueEquals("Bundle"u8))
        {
            if (!type.ValueEquals("OperationOutcome"u8) && About(element, patientId))
            {
                into.Add(element);
            }

            return;
        }

        foreach (var entry in element.Array("entry"))
        {
            if (entry.Property("resource") is { ValueKind: JsonValueKind.Object } resource && !resource.Is("resourceType", "OperationOutcome")
                && About(resource, patientId))
            {
                into.Add(resource);
            }
        }
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

        if (resource.Is("resourceType", "Patient"))
        {
            return !resource.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || id.ValueEquals(patientId);
        }

        return !NamesAnotherPatient(resource, "subject", patientId) && !NamesAnotherPatient(resource, "patient", patientId);
    }

    private static bool NamesAnotherPatient(JsonElement resource, string property, string patientId) =>
        resource.Property(property)?.Text("reference") is { } reference && PatientIdSpan(reference) is { IsEmpty: false } other
        && !other.SequenceEqual(patientId);

    /// <summary>The id in a Patient reference ("Patient/123", "https://ehr/fhir/Patient/123/_history/2"); null for any other form.</summary>
    public static string? PatientIdOf(string reference) => PatientIdSpan(reference) is { IsEmpty: false } id ? id.ToString() : null;

    /// <summary>The id in a Patient reference, as a slice of it; empty for any other form.</summary>
    private static ReadOnlySpan<char> PatientIdSpan(string reference)
    {
        var start = reference.StartsWith("Patient/", StringComparison.Ordinal) ? 0
            : reference.LastIndexOf("/Patient/", StringComparison.Ordinal) is var at and >= 0 ? at + 1 : -1;
        if (start < 0)
        {
            return [];
        }

        var id = reference.AsSpan(start + "Patient/".Length);
        var end = id.IndexOf('/');
        return end < 0 ? id : id[..end];
    }

    /// <summary>Whether every property name and string value can be read as text (valid UTF-8, no unpaired surrogate).</summary>
    public static bool AllStringsReadable(JsonElement element)
    {
        try
        {
            return Readable(element);
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        // Raw UTF-8 without an escape is checked in place (no string is built); an escaped one is decoded, which throws
        // on an unpaired surrogate escape.
        static bool Readable(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    return RawReadable(JsonMarshal.GetRawUtf8Value(element)) || element.GetString() is not null;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        if (!Readable(item))
                        {
                            return false;
                        }
                    }

                    return true;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        if (!(RawReadable(JsonMarshal.GetRawUtf8PropertyName(property)) || property.Name is not null) || !Readable(property.Value))
                        {
                            return false;
                        }
                    }

                    return true;
                default:
                    return true;
            }
        }

        static bool RawReadable(ReadOnlySpan<byte> raw) => !raw.Contains((byte)'\\') && Utf8.IsValid(raw);
    }

    /// <summary>The URL of the Bundle's next page, if any.</summary>
    public static string? NextPage(JsonElement bundle)
    {
        foreach (var link in bundle.Array("link"))
        {
            if (link.Is("relation", "next"))
            {
                return link.Text("url");
            }
        }

        return null;
    }

    /// <summary>False for resources that were entered in error, not done, still draft, cancelled or refuted.</summary>
    public static bool InForce(JsonElement resource) => !resource.IsOneOf("status", NotInForce) && !VerificationIsOneOf(resource, RefutedVerifications);

    /// <summary>A Condition not marked provisional, differential or unconfirmed (FHIR R4 condition-ver-status); one with
    /// no verification status counts as confirmed.</summary>
    public static bool Confirmed(JsonElement condition) => !VerificationIsOneOf(condition, UnconfirmedVerifications);

    private static bool VerificationIsOneOf(JsonElement resource, string[] codes)
    {
        if (resource.Property("verificationStatus") is { } verification)
        {
            foreach (var coding in verification.Array("coding"))
            {
                if (coding.IsOneOf("code", codes))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>For orders being placed: draft counts, but entered-in-error, cancelled and revoked do not.</summary>
    public static bool InForceOrDraft(JsonElement order) => order.Text("status") is not ("entered-in-error" or "cancelled" or "revoked");

}
