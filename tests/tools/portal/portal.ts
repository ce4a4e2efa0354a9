// A small portal module, compiled with `tsc --strict` against the types openapi-typescript generates from the
// committed openapi/decision-api.v1.json (TypedClientTests). It builds a request and reads every field the portal
// shows, with no optional chaining on required fields: renaming or dropping one of them fails the compilation.
import type { components } from "./generated/decision-api";

type Schemas = components["schemas"];
export type EvaluationRequest = Schemas["EvaluationRequest"];
export type EvaluationResult = Schemas["EvaluationResult"];
type Source = Schemas["Source"];
type Problem = Schemas["HttpValidationProblemDetails"];

export function buildRequest(age: number, klGrade: number, tried: EvaluationRequest["priorTreatments"]): EvaluationRequest {
  const request: EvaluationRequest = { age, klGrade, priorTreatments: tried, bmi: 28.5, conditions: [], jurisdiction: "US" };
  return request;
}

function cite(sources: Source[]): string {
  return sources.map((s) => `${s.citation} (${s.year}, ${s.kind}, ${s.verification})${s.pmid ? ` PMID ${s.pmid}` : ""}`).join("; ");
}

export function render(result: EvaluationResult): string[] {
  const lines: string[] = [];
  const a = result.assessment;
  // category grows with the rule store (x-extensible-enum): an unknown value is shown as given.
  const known = ["not-applicable", "excluded-condition", "outside-evidence-base", "conventional-care-first", "arthroplasty-evaluation", "investigational-only"];
  const category: string = known.includes(a.category) ? a.category : `${a.category} (new)`;
  lines.push(`${category}: ${a.headline}`, a.rationale, `rule ${a.ruleId}`, cite(a.sources));
  for (const note of a.notes) lines.push(note.id, note.text, note.ruleId, cite(note.sources));
  for (const c of result.caveats) lines.push(`[${c.severity.toUpperCase()}] ${c.issuer}: ${c.text}`, c.id, c.ruleId, cite(c.sources));
  for (const e of result.evidence) lines.push(`${e.topic} ${e.certainty} ${e.direction}: ${e.text}`, e.applicability, e.id, e.ruleId, cite(e.sources));
  for (const s of result.safety) lines.push(s.id, s.text, s.ruleId, cite(s.sources));
  for (const c of result.claimChecks) lines.push(`${c.claim} → ${c.verdict}: ${c.finding}`, c.id, c.ruleId, cite(c.sources));
  for (const o of result.conventionalOptions) {
    lines.push(`${o.tried ? "tried" : "not tried"} ${o.treatment} ${o.label} (${o.strength}, ${o.issuer}${o.issuerGrade ? ` ${o.issuerGrade}` : ""}): ${o.text}`, o.id, o.ruleId, cite(o.sources));
  }
  const used = result.inputs.used;
  lines.push(`age ${used.age ?? "?"}, KL ${used.klGrade ?? "?"}, BMI ${used.bmi ?? "-"}, ${used.jurisdiction}`, used.priorTreatments.join(", "), used.conditions.join(", "));
  lines.push(...result.inputs.unknown, ...result.inputs.notes, ...Object.keys(result.inputs.defaulted));
  for (const t of result.trace) lines.push(`${t.ruleId} ${t.kind} ${t.matched}`, ...t.conditions.map((c) => `${c.clause} ${c.field} ${c.expected} ${c.actual ?? "-"} ${c.matched}`));
  lines.push(`${result.ruleStore.version} ${result.ruleStore.releasedOn} ${result.ruleStore.contentHash}`);
  return lines;
}

export function renderProblem(problem: Problem): string[] {
  return [`${problem.status}: ${problem.title}`, ...Object.entries(problem.errors).flatMap(([field, messages]) => messages.map((m) => `${field}: ${m}`))];
}
