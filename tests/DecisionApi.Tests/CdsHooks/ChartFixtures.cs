using System.Text.Json.Nodes;
using static DecisionApi.Tests.CdsHooks.CdsFixtures;

namespace DecisionApi.Tests.CdsHooks;

/// <summary>
/// Realistic FHIR R4 charts, written for these tests in the shapes real data takes: the synthetic-patient generator's
/// (Synthea: CarePlan activities, MedicationRequest with an RxNorm product, TKA Procedure) and EHRs' (product codes with
/// displays, text-only medications, contained and bundled Medications, ATC-coded European records, partial prefetch).
/// Each chart states the category it must get and exactly which treatments must be recognised, and how.
/// </summary>
public static class ChartFixtures
{
    public const string Atc = "http://www.whocc.no/atc";
    public const string LocalFormulary = "https://ehr.example.org/fhir/CodeSystem/formulary";

    /// <summary>A chart: its prefetch, the expected category and the expected (treatment, how) pairs.</summary>
    public sealed record Chart(string Name, JsonObject Prefetch, string Category, (string Treatment, string By)[] Recognised)
    {
        public override string ToString() => Name;
    }

    public static JsonObject CodeableConcept(string? system, string? code, string? display, string? text = null)
    {
        var concept = new JsonObject();
        if (system is not null)
        {
            concept["coding"] = new JsonArray(new JsonObject { ["system"] = system, ["code"] = code, ["display"] = display });
        }

        if (text is not null)
        {
            concept["text"] = text;
        }

        return concept;
    }

    public static JsonObject MedicationRequest(string id, JsonObject? medication, string status = "active", string intent = "order") => new()
    {
        ["resourceType"] = "MedicationRequest",
        ["id"] = id,
        ["status"] = status,
        ["intent"] = intent,
        ["medicationCodeableConcept"] = medication,
        ["subject"] = new JsonObject { ["reference"] = "Patient/" + PatientId },
        ["authoredOn"] = "2025-04-02",
    };

    public static JsonObject MedicationRequestFor(string id, string reference, string status = "active", JsonObject? contained = null)
    {
        var request = MedicationRequest(id, null, status);
        request.Remove("medicationCodeableConcept");
        request["medicationReference"] = new JsonObject { ["reference"] = reference };
        if (contained is not null)
        {
            request["contained"] = new JsonArray(contained);
        }

        return request;
    }

    public static JsonObject Medication(string id, JsonObject? code = null, JsonObject? ingredient = null, JsonObject? form = null)
    {
        var medication = new JsonObject { ["resourceType"] = "Medication", ["id"] = id };
        if (code is not null)
        {
            medication["code"] = code;
        }

        if (form is not null)
        {
            medication["form"] = form;
        }

        if (ingredient is not null)
        {
            medication["ingredient"] = new JsonArray(new JsonObject { ["itemCodeableConcept"] = ingredient, ["isActive"] = true });
        }

        return medication;
    }

    public static JsonObject MedicationStatementOf(string id, JsonObject medication, string status = "active") => new()
    {
        ["resourceType"] = "MedicationStatement",
        ["id"] = id,
        ["status"] = status,
        ["medicationCodeableConcept"] = medication,
        ["subject"] = new JsonObject { ["reference"] = "Patient/" + PatientId },
    };

    public static JsonObject ProcedureOf(string id, JsonObject code, string status = "completed") => new()
    {
        ["resourceType"] = "Procedure",
        ["id"] = id,
        ["status"] = status,
        ["code"] = code,
        ["subject"] = new JsonObject { ["reference"] = "Patient/" + PatientId },
        ["performedDateTime"] = "2025-03-01",
    };

    public static JsonObject CompletedServiceRequest(string id, JsonObject code, string status = "completed") => new()
    {
        ["resourceType"] = "ServiceRequest",
        ["id"] = id,
        ["status"] = status,
        ["intent"] = "order",
        ["code"] = code,
        ["subject"] = new JsonObject { ["reference"] = "Patient/" + PatientId },
    };

    /// <summary>A CarePlan as the synthetic-patient generator writes it: category, and activities with detail.code and status.</summary>
    public static JsonObject CarePlan(string id, string status, params JsonObject[] activities) => new()
    {
        ["resourceType"] = "CarePlan",
        ["id"] = id,
        ["status"] = status,
        ["intent"] = "order",
        ["category"] = new JsonArray(CodeableConcept(Snomed, "408869004", "Musculoskeletal care")),
        ["subject"] = new JsonObject { ["reference"] = "Patient/" + PatientId },
        ["activity"] = new JsonArray([.. activities.Select(a => (JsonNode)new JsonObject { ["detail"] = a })]),
    };

    public static JsonObject Activity(JsonObject? code, string status = "in-progress", string? description = null)
    {
        var detail = new JsonObject { ["status"] = status };
        if (code is not null)
        {
            detail["code"] = code;
        }

        if (description is not null)
        {
            detail["description"] = description;
        }

        return detail;
    }

    public static JsonObject OperationOutcome() => new()
    {
        ["resourceType"] = "OperationOutcome",
        ["issue"] = new JsonArray(new JsonObject { ["severity"] = "error", ["code"] = "not-supported", ["diagnostics"] = "Query not supported" }),
    };

    /// <summary>A chart with a knee-OA diagnosis and a KL grade; every supplementary key empty unless given.</summary>
    public static JsonObject ChartWith(
        int kl = 2, JsonObject[]? procedures = null, JsonObject[]? statements = null, JsonObject[]? requests = null,
        JsonObject[]? carePlans = null, JsonObject[]? serviceRequests = null) => new()
    {
        ["patient"] = Patient("1961-08-09"),
        ["kneeOaConditions"] = Bundle(KneeOa()),
        ["klGradeObservations"] = Bundle(KlGrade(kl)),
        ["bmiObservations"] = Bundle(),
        ["procedures"] = Bundle(procedures ?? []),
        ["medicationStatements"] = Bundle(statements ?? []),
        ["medicationRequests"] = Bundle(requests ?? []),
        ["carePlans"] = Bundle(carePlans ?? []),
        ["serviceRequests"] = Bundle(serviceRequests ?? []),
        ["conditions"] = Bundle(),
    };

    private static JsonObject PhysicalTherapy() => ProcedureOf("proc-pt", CodeableConcept(Snomed, "91251008", "Physical therapy procedure (regime/therapy)"));

    private static JsonObject SyntheaCarePlan() => CarePlan(
        "cp-oa", "active",
        Activity(CodeableConcept(Snomed, "386294003", "Joint mobility exercises", "Joint mobility exercises")),
        Activity(CodeableConcept(Snomed, "266694003", "Heat therapy", "Heat therapy")));

    private static JsonObject SyntheaNaproxen(string status = "active") =>
        MedicationRequest("mr-naproxen", CodeableConcept(RxNorm, "849574", "Naproxen sodium 220 MG Oral Tablet", "Naproxen sodium 220 MG Oral Tablet"), status);

    public static IEnumerable<Chart> All() =>
    [
        new("EHR: physical therapy and ibuprofen 400 mg as free text",
            ChartWith(procedures: [PhysicalTherapy()], statements: [MedicationStatementOf("ms-ibu", CodeableConcept(null, null, null, "ibuprofen 400 mg tablet, 1 three times daily"))]),
            "investigational-only", [("exercise-therapy", "Code"), ("oral-nsaid", "Text")]),

        new("Synthea: knee OA with CarePlan exercise activity, naproxen MedicationRequest and a total knee arthroplasty",
            ChartWith(kl: 3, carePlans: [SyntheaCarePlan()], requests: [SyntheaNaproxen()],
                procedures: [ProcedureOf("proc-tka", CodeableConcept(Snomed, "609588000", "Total knee replacement"))]),
            "not-applicable", [("exercise-therapy", "Code"), ("oral-nsaid", "Code"), ("total-knee-arthroplasty", "Code")]),

        new("Synthea: knee OA before any replacement, naproxen stopped",
            ChartWith(kl: 3, carePlans: [SyntheaCarePlan()], requests: [SyntheaNaproxen("stopped")]),
            "investigational-only", [("exercise-therapy", "Code"), ("oral-nsaid", "Code")]),

        new("KL 4 on diclofenac gel (RxNorm product) with a home exercise programme in the care plan",
            ChartWith(kl: 4,
                requests: [MedicationRequest("mr-gel", CodeableConcept(RxNorm, "855633", "Diclofenac Sodium 0.01 MG/MG Topical Gel"))],
                carePlans: [CarePlan("cp-home", "active", Activity(null, description: "Home exercise therapy programme for both knees"))]),
            "arthroplasty-evaluation", [("exercise-therapy", "Text"), ("topical-nsaid", "Code")]),

        new("KL 4 on Voltaren gel written as text, no exercise documented",
            ChartWith(kl: 4, statements: [MedicationStatementOf("ms-volt", CodeableConcept(null, null, null, "Voltaren 1% gel, apply to knee four times daily"))]),
            "conventional-care-first", [("topical-nsaid", "Text")]),

        new("Contained Medication (unlisted product code, naproxen in the display) and a completed physical-therapy referral",
            ChartWith(
                requests: [MedicationRequestFor("mr-c", "#med1", contained: Medication("med1", CodeableConcept(LocalFormulary, "F-1042", "Naproxen 500 MG Oral Tablet")))],
                serviceRequests: [CompletedServiceRequest("sr-pt", CodeableConcept(Snomed, "91251008", "Physical therapy procedure"))]),
            "investigational-only", [("exercise-therapy", "Code"), ("oral-nsaid", "Display")]),

        new("Bundled Medication referenced by absolute URL (ibuprofen ingredient code) and physical therapy as procedure text",
            ChartWith(
                requests:
                [
                    MedicationRequestFor("mr-b", "https://ehr.example.org/fhir/Medication/med-7"),
                    Medication("med-7", code: CodeableConcept(null, null, null, "IBU 600"), ingredient: CodeableConcept(RxNorm, "5640", "ibuprofen"), form: CodeableConcept(null, null, null, "Oral Tablet")),
                ],
                procedures: [ProcedureOf("proc-text", CodeableConcept(null, null, null, "Physical therapy session, knee strengthening"))]),
            "investigational-only", [("exercise-therapy", "Text"), ("oral-nsaid", "Code")]),

        new("European record coded with ATC: ibuprofen (M01AE01) and topical diclofenac (M02AA15), physical therapy",
            ChartWith(procedures: [PhysicalTherapy()], statements:
            [
                MedicationStatementOf("ms-atc1", CodeableConcept(Atc, "M01AE01", "ibuprofen")),
                MedicationStatementOf("ms-atc2", CodeableConcept(Atc, "M02AA15", "diclofenac")),
            ]),
            "investigational-only", [("exercise-therapy", "Code"), ("oral-nsaid", "Class"), ("topical-nsaid", "Class")]),

        new("Orders that do not show prescribing (entered-in-error, cancelled, draft, a proposal) are not counted",
            ChartWith(procedures: [PhysicalTherapy()], requests:
            [
                SyntheaNaproxen("entered-in-error"),
                MedicationRequest("mr-2", CodeableConcept(null, null, null, "naproxen 500 mg"), "cancelled"),
                MedicationRequest("mr-3", CodeableConcept(null, null, null, "naproxen 500 mg"), "draft"),
                MedicationRequest("mr-4", CodeableConcept(null, null, null, "celecoxib 200 mg"), "active", intent: "proposal"),
            ]),
            "conventional-care-first", [("exercise-therapy", "Code")]),

        new("Stopped meloxicam by brand name and an exercise-therapy care plan activity",
            ChartWith(
                requests: [MedicationRequest("mr-mobic", CodeableConcept(null, null, null, "Mobic 15 mg once daily"), "stopped")],
                carePlans: [CarePlan("cp-ex", "completed", Activity(CodeableConcept(Snomed, "229065009", "Exercise therapy"), "completed"))]),
            "investigational-only", [("exercise-therapy", "Code"), ("oral-nsaid", "Text")]),

        new("Care-plan exercise not started and a draft care plan do not count; Celebrex does",
            ChartWith(
                carePlans:
                [
                    CarePlan("cp-ns", "active", Activity(CodeableConcept(Snomed, "386294003", "Joint mobility exercises"), "not-started")),
                    CarePlan("cp-draft", "draft", Activity(CodeableConcept(Snomed, "229065009", "Exercise therapy"))),
                ],
                requests: [MedicationRequest("mr-cel", CodeableConcept(null, null, null, "Celebrex 200 mg capsule"))]),
            "conventional-care-first", [("oral-nsaid", "Text")]),

        new("First-line care without codes: weight control education, self-management programme, cane, Cymbalta, acetaminophen",
            ChartWith(
                procedures: [ProcedureOf("proc-wt", CodeableConcept(Snomed, "410200000", "Weight control education (procedure)"))],
                carePlans: [CarePlan("cp-sm", "active", Activity(null, description: "Knee OA self-management programme, 6 sessions"))],
                serviceRequests: [CompletedServiceRequest("sr-cane", CodeableConcept(null, null, null, "Cane, adjustable"))],
                statements:
                [
                    MedicationStatementOf("ms-dul", CodeableConcept(null, null, null, "Cymbalta 30 mg")),
                    MedicationStatementOf("ms-apap", CodeableConcept(LocalFormulary, "F-0077", "Acetaminophen 325 MG Oral Tablet")),
                ]),
            "conventional-care-first",
            [("acetaminophen", "Display"), ("duloxetine", "Text"), ("self-management-education", "Text"), ("walking-aid-or-brace", "Text"), ("weight-management", "Code")]),

        new("Words inside other words and unrelated exercise are not care: exercise stress test, sugarcane, Naproxenol",
            ChartWith(
                procedures: [ProcedureOf("proc-stress", CodeableConcept(null, null, null, "Exercise stress test"))],
                statements: [MedicationStatementOf("ms-x", CodeableConcept(null, null, null, "Sugarcane extract; Naproxenol tincture; gelatin capsule"))]),
            "conventional-care-first", []),

        new("Intra-articular corticosteroid injection recognised by text, with physical therapy and naproxen",
            ChartWith(kl: 3, procedures:
            [
                PhysicalTherapy(),
                ProcedureOf("proc-ia", CodeableConcept(null, null, null, "Intra-articular corticosteroid injection, right knee")),
            ], requests: [SyntheaNaproxen()]),
            "investigational-only", [("exercise-therapy", "Code"), ("ia-corticosteroid", "Text"), ("oral-nsaid", "Code")]),

        new("Partial prefetch: care plans and service requests not supported (sent as OperationOutcome), procedures null",
            WithKeys(ChartWith(requests: [SyntheaNaproxen()]), ("carePlans", OperationOutcome()), ("serviceRequests", OperationOutcome()), ("procedures", null)),
            "conventional-care-first", [("oral-nsaid", "Code")]),

        new("EHR R4 medicationReference with only a display (no Medication sent) and therapeutic exercises as a procedure",
            ChartWith(
                requests: [WithReferenceDisplay(MedicationRequestFor("mr-ref", "Medication/eAbc123"), "meloxicam 15 mg tablet")],
                procedures: [ProcedureOf("proc-tx", CodeableConcept("http://www.ama-assn.org/go/cpt", "97110", "Therapeutic exercises"))]),
            "investigational-only", [("exercise-therapy", "Display"), ("oral-nsaid", "Text")]),

        new("A chart with no first-line care at all",
            ChartWith(kl: 2),
            "conventional-care-first", []),
    ];

    private static JsonObject WithReferenceDisplay(JsonObject request, string display)
    {
        request["medicationReference"]!["display"] = display;
        return request;
    }

    private static JsonObject WithKeys(JsonObject prefetch, params (string Key, JsonObject? Value)[] values)
    {
        foreach (var (key, value) in values)
        {
            prefetch[key] = value;
        }

        return prefetch;
    }
}
