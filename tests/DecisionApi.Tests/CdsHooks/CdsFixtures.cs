using System.Text.Json.Nodes;

namespace DecisionApi.Tests.CdsHooks;

/// <summary>Synthetic FHIR R4 data for CDS Hooks requests, written for these tests.</summary>
public static class CdsFixtures
{
    public const string PatientId = "pat-8841";
    public const string PatientName = "Wilhelmina Testperson";
    public const string Snomed = "http://snomed.info/sct";
    public const string Cpt = "http://www.ama-assn.org/go/cpt";
    public const string RxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";
    public const string KlSystem = "urn:decision-api:knee-oa-grading";

    public static JsonObject Coding(string system, string code) => new()
    {
        ["coding"] = new JsonArray(new JsonObject { ["system"] = system, ["code"] = code }),
    };

    public static JsonObject Bundle(params JsonObject[] resources) => new()
    {
        ["resourceType"] = "Bundle",
        ["type"] = "searchset",
        ["entry"] = new JsonArray([.. resources.Select(r => (JsonNode)new JsonObject { ["resource"] = r })]),
    };

    public static JsonObject Patient(string birthDate) => new()
    {
        ["resourceType"] = "Patient",
        ["id"] = PatientId,
        ["name"] = new JsonArray(new JsonObject { ["text"] = PatientName }),
        ["birthDate"] = birthDate,
    };

    public static JsonObject KneeOa(string verification = "confirmed") => new()
    {
        ["resourceType"] = "Condition",
        ["id"] = "cond-1",
        ["verificationStatus"] = Coding("http://terminology.hl7.org/CodeSystem/condition-ver-status", verification),
        ["code"] = Coding(Snomed, "239873007"),
        ["subject"] = new JsonObject { ["reference"] = "Patient/" + PatientId },
    };

    public static JsonObject KlGrade(int? value, string status = "final", string date = "2026-06-01") => new()
    {
        ["resourceType"] = "Observation",
        ["id"] = "kl-" + date,
        ["status"] = status,
        ["code"] = Coding(KlSystem, "kl-grade"),
        ["effectiveDateTime"] = date,
        ["valueInteger"] = value,
    };

    /// <summary>A BMI Observation as the US Core BMI profile records it (LOINC 39156-5, UCUM kg/m2).</summary>
    public static JsonObject Bmi(double value, string date = "2026-06-01", string status = "final", string unitCode = "kg/m2") => new()
    {
        ["resourceType"] = "Observation",
        ["id"] = "bmi-" + date,
        ["status"] = status,
        ["code"] = Coding("http://loinc.org", "39156-5"),
        ["effectiveDateTime"] = date,
        ["valueQuantity"] = new JsonObject { ["value"] = value, ["unit"] = unitCode, ["system"] = "http://unitsofmeasure.org", ["code"] = unitCode },
    };

    public static JsonObject Procedure(string system, string code, string status = "completed") => new()
    {
        ["resourceType"] = "Procedure",
        ["id"] = "proc-" + code,
        ["status"] = status,
        ["code"] = Coding(system, code),
    };

    public static JsonObject MedicationStatement(string code, string status = "completed") => new()
    {
        ["resourceType"] = "MedicationStatement",
        ["id"] = "ms-" + code,
        ["status"] = status,
        ["medicationCodeableConcept"] = Coding(RxNorm, code),
    };

    public static JsonObject ServiceRequest(string id, string system, string code, string status = "draft") => new()
    {
        ["resourceType"] = "ServiceRequest",
        ["id"] = id,
        ["status"] = status,
        ["intent"] = "order",
        ["code"] = Coding(system, code),
        ["subject"] = new JsonObject { ["reference"] = "Patient/" + PatientId },
    };

    public static JsonObject MscOrder(string id = "sr-msc", string status = "draft") => ServiceRequest(id, Cpt, "0566T", status);

    public static JsonObject XrayOrder(string id = "sr-xray") => ServiceRequest(id, Cpt, "73560");

    /// <summary>A complete prefetch: KL 2, physical therapy and naproxen tried (first-line care documented).</summary>
    public static JsonObject Prefetch(string birthDate = "1964-03-15", int? kl = 2, bool firstLineCare = true) => new()
    {
        ["patient"] = Patient(birthDate),
        ["kneeOaConditions"] = Bundle(KneeOa()),
        ["klGradeObservations"] = kl is null ? Bundle() : Bundle(KlGrade(kl)),
        ["bmiObservations"] = Bundle(),
        ["procedures"] = firstLineCare ? Bundle(Procedure(Snomed, "91251008")) : Bundle(),
        ["medicationStatements"] = firstLineCare ? Bundle(MedicationStatement("849574")) : Bundle(),
        ["medicationRequests"] = Bundle(),
        ["carePlans"] = Bundle(),
        ["serviceRequests"] = Bundle(),
        ["conditions"] = Bundle(),
    };

    public static JsonObject OrderSign(JsonObject? prefetch, params JsonObject[] orders)
    {
        var request = new JsonObject
        {
            ["hook"] = "order-sign",
            ["hookInstance"] = Guid.NewGuid().ToString(),
            ["context"] = new JsonObject
            {
                ["userId"] = "Practitioner/prac-17",
                ["patientId"] = PatientId,
                ["draftOrders"] = Bundle(orders),
            },
        };
        if (prefetch is not null)
        {
            request["prefetch"] = prefetch.DeepClone();
        }

        return request;
    }

    public static JsonObject OrderSelect(JsonObject? prefetch, string[] selections, params JsonObject[] orders)
    {
        var request = OrderSign(prefetch, orders);
        request["hook"] = "order-select";
        request["context"]!["selections"] = new JsonArray([.. selections.Select(s => (JsonNode)s)]);
        return request;
    }
}
