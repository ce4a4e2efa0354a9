// Calls every operation of the committed document with openapi-fetch over the types openapi-typescript generates
// (GeneratedClientTests): no hand edit, no cast, no `any`. Usage: node out/calls.mjs <base-url> <api-key> <document> [new-treatment-code]
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/decision-api.js";

type Schemas = components["schemas"];
declare const process: { argv: string[]; exitCode?: number };

// The document argument is read by the C# callers (for its CDS example); here the request is built in code.
const [baseUrl = "", apiKey = "", , newTreatment] = process.argv.slice(2);
const client = createClient<paths>({ baseUrl: baseUrl.replace(/\/$/, ""), headers: { "X-Api-Key": apiKey } });
let checks = 0;
function check(condition: boolean, what: string): void {
  checks++;
  if (!condition) throw new Error(`TypeScript: ${what}`);
  console.log(`ok ${what}`);
}

check((await client.GET("/health/live")).data?.status !== undefined, "GET /health/live");
check((await client.GET("/health/ready")).data?.status !== undefined, "GET /health/ready");
check((await client.GET("/v1/about", { params: { header: { "Accept-Language": "en" } } })).data?.ruleStore !== undefined, "GET /v1/about");
const treatments = (await client.GET("/v1/treatments")).data ?? [];
check(treatments.length > 0, "GET /v1/treatments");
check(((await client.GET("/v1/conditions")).data ?? []).length > 0, "GET /v1/conditions");
const recognition = (await client.GET("/v1/treatments/recognition")).data ?? [];
check(recognition.length > 0 && recognition.every((r) => r.kind.length > 0), "GET /v1/treatments/recognition");
const rules = (await client.GET("/v1/rules")).data ?? [];
const rule = rules[0];
check(rule !== undefined, "GET /v1/rules");
check((await client.GET("/v1/rules/{id}", { params: { path: { id: rule?.id ?? "" } } })).data?.id === rule?.id, "GET /v1/rules/{id}");
const sources = (await client.GET("/v1/sources")).data ?? [];
const source = sources[0];
check(source !== undefined && sources.every((s) => s.kind.length > 0), "GET /v1/sources");
check((await client.GET("/v1/sources/{id}", { params: { path: { id: source?.id ?? "" } } })).data?.kind === source?.kind, "GET /v1/sources/{id}");
const claims = (await client.GET("/v1/claim-checks")).data ?? [];
check(claims.length > 0 && claims.every((c) => c.verdict.length > 0), "GET /v1/claim-checks");

const tried: string[] = ["exercise-therapy", "oral-nsaid", "ia-corticosteroid"];
if (newTreatment !== undefined) {
  check(treatments.some((t) => t.code === newTreatment), `GET /v1/treatments lists ${newTreatment}, a code the document does not list`);
  check(recognition.some((r) => r.treatment === newTreatment), `GET /v1/treatments/recognition reads ${newTreatment} in treatment (once a closed enum)`);
  tried.push(newTreatment);
}
const request: Schemas["EvaluationRequest"] = { age: 62, klGrade: 3, priorTreatments: tried, bmi: 28.5, conditions: [], jurisdiction: "US" };
const evaluation = await client.POST("/v1/evaluations", { body: request });
const result = evaluation.data;
check(result !== undefined && result.assessment.category.length > 0 && result.evidence.every((e) => e.topic.length > 0 && e.certainty.length > 0 && e.direction.length > 0)
  && result.conventionalOptions.every((o) => o.treatment.length > 0 && o.strength.length > 0), "POST /v1/evaluations");
check(evaluation.response.headers.get("Content-Language") === "en", "POST /v1/evaluations carries Content-Language");
check(JSON.stringify(result?.inputs.used.priorTreatments) === JSON.stringify(tried), `POST /v1/evaluations echoes every prior treatment sent, ${tried.join(",")}`);
const refused = await client.POST("/v1/evaluations", { body: { age: 17, klGrade: 3, priorTreatments: [] } });
check(refused.response.status === 400 && refused.error !== undefined && "errors" in refused.error && (refused.error.traceId ?? "").length > 0,
  "POST /v1/evaluations with age 17: 400 problem with errors and traceId");

const discovery = (await client.GET("/cds-services")).data;
const service = discovery?.services.find((s) => s.hook === "order-sign");
check(service !== undefined, "GET /cds-services");
const id = service?.id ?? "";
// A CDS Hooks request built as an EHR would: free-form FHIR resources in context and prefetch, no cast.
const cdsRequest: Schemas["CdsHooksRequest"] = {
  hook: "order-sign",
  hookInstance: "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
  context: {
    userId: "Practitioner/prac-17",
    patientId: "pat-8841",
    someFutureContextField: "ignored",
    draftOrders: { resourceType: "Bundle", type: "collection", entry: [{ resource: { resourceType: "ServiceRequest", id: "sr-msc", status: "draft", intent: "order", code: { coding: [{ system: "http://www.ama-assn.org/go/cpt", code: "0566T" }] }, subject: { reference: "Patient/pat-8841" } } }] },
  },
  prefetch: {
    patient: { resourceType: "Patient", id: "pat-8841", birthDate: "1964-03-15" },
    kneeOaConditions: { resourceType: "Bundle", type: "searchset", entry: [{ resource: { resourceType: "Condition", id: "cond-1", verificationStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-ver-status", code: "confirmed" }] }, code: { coding: [{ system: "http://snomed.info/sct", code: "239873007" }] }, subject: { reference: "Patient/pat-8841" } } }] },
    klGradeObservations: { resourceType: "Bundle", type: "searchset", entry: [{ resource: { resourceType: "Observation", id: "kl-2026-06-01", status: "final", code: { coding: [{ system: "urn:decision-api:knee-oa-grading", code: "kl-grade" }] }, effectiveDateTime: "2026-06-01", valueInteger: 2 } }] },
    bmiObservations: { resourceType: "Bundle", type: "searchset" },
    procedures: { resourceType: "Bundle", type: "searchset", entry: [{ resource: { resourceType: "Procedure", id: "proc-91251008", status: "completed", code: { coding: [{ system: "http://snomed.info/sct", code: "91251008" }] } } }] },
    medicationStatements: { resourceType: "Bundle", type: "searchset", entry: [{ resource: { resourceType: "MedicationStatement", id: "ms-849574", status: "completed", medicationCodeableConcept: { coding: [{ system: "http://www.nlm.nih.gov/research/umls/rxnorm", code: "849574" }] } } }] },
    medicationRequests: { resourceType: "Bundle", type: "searchset" },
    carePlans: { resourceType: "Bundle", type: "searchset" },
    serviceRequests: { resourceType: "Bundle", type: "searchset" },
  },
};
const cards = (await client.POST("/cds-services/{id}", { params: { path: { id } }, body: cdsRequest })).data?.cards ?? [];
const card = cards[0];
check(cards.length === 1 && card !== undefined, "POST /cds-services/{id}");
const feedback: Schemas["CdsFeedback"] = {
  feedback: [{ card: card?.uuid ?? "", outcome: "overridden", outcomeTimestamp: new Date().toISOString(), overrideReason: { userComment: "Given within a registered trial." } }],
};
const sent = await client.POST("/cds-services/{id}/feedback", { params: { path: { id } }, body: feedback });
check(sent.response.ok, "POST /cds-services/{id}/feedback");
console.log(`TypeScript: ${checks} checks passed`);
