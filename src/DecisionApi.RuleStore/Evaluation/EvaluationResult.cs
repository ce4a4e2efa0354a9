using System.Text.Json.Serialization;
using DecisionApi.RuleStore.Content;

namespace DecisionApi.RuleStore.Evaluation;

/// <summary>The candidate evidence summary for one patient profile.</summary>
/// <param name="Assessment">The assessment category and why it was chosen.</param>
/// <param name="Caveats">Guideline and regulatory caveats; the ACR/AF and FDA caveats are always present.</param>
/// <param name="Evidence">Evidence that fits this profile, plus the strongest evidence for every adult, each with its certainty and applicability.</param>
/// <param name="Safety">Safety points.</param>
/// <param name="ClaimChecks">Claims often made about MSC injections, checked against the evidence.</param>
/// <param name="ConventionalOptions">First-line options with their guideline strength and whether the patient has tried them.</param>
/// <param name="Inputs">Which inputs were used, defaulted or unknown.</param>
/// <param name="Trace">Every rule evaluated, with each condition's expected and actual value.</param>
/// <param name="RuleStore">Which curated store produced this summary.</param>
public sealed record EvaluationResult(
    AssessmentResult Assessment,
    IReadOnlyList<CaveatItem> Caveats,
    IReadOnlyList<EvidenceItem> Evidence,
    IReadOnlyList<SafetyItem> Safety,
    IReadOnlyList<ClaimCheckItem> ClaimChecks,
    IReadOnlyList<ConventionalOption> ConventionalOptions,
    EvaluationInputs Inputs,
    IReadOnlyList<TraceEntry> Trace,
    RuleStoreInfo RuleStore)
{
    /// <summary>
    /// The rules behind this answer, for the audit log (product spec §8): the assessment rule that matched, then every
    /// conditional rule that matched, in store order, comma-separated. Unconditional rules are in every answer of the
    /// store version, so the version names them. Rule ids only — never a profile value. Not part of the JSON answer; a
    /// result not made by the evaluator (read from JSON) names only its assessment rule.
    /// </summary>
    [JsonIgnore]
    public string AuditRules { get; init; } = Assessment?.RuleId ?? "";
}

/// <summary>The assessment category (never a recommendation to inject).</summary>
/// <param name="Category">not-applicable, excluded-condition, outside-evidence-base, conventional-care-first, arthroplasty-evaluation or investigational-only.</param>
/// <param name="Headline">One sentence, naming the reason when the store words one.</param>
/// <param name="Reason">Why this category holds for this profile: every branch of the rule that holds, in words; null when the store words none.</param>
/// <param name="Rationale">Why this category, in plain words.</param>
/// <param name="RuleId">The assessment rule that matched first.</param>
/// <param name="Notes">Additional sentences for this profile (e.g. sparse evidence at KL 1).</param>
/// <param name="Sources">Sources behind the rationale.</param>
public sealed record AssessmentResult(
    string Category, string Headline, string? Reason, string Rationale, string RuleId, IReadOnlyList<AssessmentNote> Notes, IReadOnlyList<Source> Sources)
{
    /// <summary>The rule's branches that hold, in store order: the clause number (1-based), with <c>u</c> appended when
    /// the branch rests on something that could not be checked. Empty for a result not made by the evaluator. Not part
    /// of the JSON answer (the card words its summary from it).</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Branches { get; init; } = [];
}

/// <summary>A sentence added to the assessment.</summary>
public sealed record AssessmentNote(string Id, string Text, string RuleId, IReadOnlyList<Source> Sources);

/// <summary>A guideline, regulatory or jurisdiction caveat.</summary>
/// <param name="Id">Statement id.</param>
/// <param name="Severity">critical, warning or info.</param>
/// <param name="Issuer">Who says it (ACR/AF, FDA, NICE, ...).</param>
/// <param name="Text">The caveat.</param>
/// <param name="RuleId">The rule that selected it.</param>
/// <param name="Sources">Where it comes from.</param>
public sealed record CaveatItem(string Id, string Severity, string Issuer, string Text, string RuleId, IReadOnlyList<Source> Sources);

/// <summary>One piece of evidence.</summary>
/// <param name="Id">Statement id.</param>
/// <param name="Topic">efficacy, comparative, dose, route, combination, cell-source, long-term, population or consensus.</param>
/// <param name="Text">What the evidence shows.</param>
/// <param name="Certainty">high, moderate, low, very-low or not-graded.</param>
/// <param name="Direction">favours-msc, no-difference, uncertain or against-msc.</param>
/// <param name="Applicability">How well the enrolled population (KL grades, ages) fits this patient.</param>
/// <param name="RuleId">The rule that selected it.</param>
/// <param name="Sources">Where it comes from.</param>
public sealed record EvidenceItem(
    string Id, string Topic, string Text, string Certainty, string Direction, string Applicability, string RuleId, IReadOnlyList<Source> Sources)
{
    /// <summary>The item the evaluator copied this one from: the same rule and language with an empty applicability,
    /// one instance per rule and language of a loaded store, so a writer can encode the rest once. Null for an item not
    /// made by the evaluator. Not part of the JSON answer, nor of equality.</summary>
    [JsonIgnore]
    public EvidenceItem? Template { get; init; }

    /// <summary>The summary of findings: one row per outcome with its estimate, 95% CI, certainty and reading. Empty when
    /// the store has no structured effect for this item (its text then says what is known).</summary>
    public IReadOnlyList<EffectEstimate> Effects { get; init; } = [];

    /// <summary>Whether this item says what <see cref="Template"/> says but for the applicability (the same instances:
    /// not a copy with other values), so a writer may use the template's encoded bytes.</summary>
    public bool MatchesTemplate() => Template is { } t && ReferenceEquals(Id, t.Id) && ReferenceEquals(Topic, t.Topic) && ReferenceEquals(Text, t.Text)
        && ReferenceEquals(Certainty, t.Certainty) && ReferenceEquals(Direction, t.Direction) && ReferenceEquals(RuleId, t.RuleId) && ReferenceEquals(Sources, t.Sources)
        && ReferenceEquals(Effects, t.Effects);

    public bool Equals(EvidenceItem? other) =>
        other is not null && Id == other.Id && Topic == other.Topic && Text == other.Text && Certainty == other.Certainty && Direction == other.Direction
        && Applicability == other.Applicability && RuleId == other.RuleId && Equals(Sources, other.Sources) && Equals(Effects, other.Effects);

    public override int GetHashCode() => HashCode.Combine(Id, Topic, Text, Certainty, Direction, Applicability, RuleId, Sources);
}

/// <summary>One outcome of an evidence item's summary of findings.</summary>
/// <param name="Outcome">pain, function, quality-of-life, structure, adverse-events, serious-adverse-events or local-reactions.</param>
/// <param name="Comparator">What MSC injection was compared with.</param>
/// <param name="FollowUp">When the outcome was measured.</param>
/// <param name="Measure">mean-difference, standardised-mean-difference, risk-ratio or odds-ratio.</param>
/// <param name="Estimate">The pooled estimate (MSC minus comparator for differences, MSC over comparator for ratios).</param>
/// <param name="CiLower">Lower end of the 95% confidence interval.</param>
/// <param name="CiUpper">Upper end of the 95% confidence interval.</param>
/// <param name="Scale">The scale and units of the estimate, and which direction favours MSC.</param>
/// <param name="Mid">The minimal important difference the source used, on the same scale; null when none applies (ratios).</param>
/// <param name="Certainty">GRADE certainty: high, moderate, low or very-low.</param>
/// <param name="Reading">The plain-language reading ("probably little or no difference").</param>
/// <param name="SourceId">Where the figures were read: the id of one of the evidence item's sources.</param>
/// <param name="Verification">verified: read on the source's own page or a faithful copy of it; secondary: seen only in a secondary copy.</param>
public sealed record EffectEstimate(
    string Outcome, string Comparator, string FollowUp, string Measure, double Estimate, double CiLower, double CiUpper, string Scale,
    double? Mid, string Certainty, string Reading, string SourceId, string Verification);

/// <summary>A safety point.</summary>
public sealed record SafetyItem(string Id, string Text, string RuleId, IReadOnlyList<Source> Sources);

/// <summary>A claim checked against the evidence.</summary>
/// <param name="Id">Statement id.</param>
/// <param name="Claim">What was claimed.</param>
/// <param name="Finding">What the sources show.</param>
/// <param name="Verdict">supported, partly-supported, not-established, contradicted or misattributed.</param>
/// <param name="RuleId">The rule that selected it.</param>
/// <param name="Sources">Where the finding comes from.</param>
public sealed record ClaimCheckItem(string Id, string Claim, string Finding, string Verdict, string RuleId, IReadOnlyList<Source> Sources);

/// <summary>A first-line option and one guideline's view of it.</summary>
/// <param name="Id">Statement id.</param>
/// <param name="Treatment">Treatment code from the vocabulary.</param>
/// <param name="Label">Treatment label.</param>
/// <param name="Text">What the guideline says, in one sentence.</param>
/// <param name="Strength">strong-for, conditional-for, conditional-against or strong-against.</param>
/// <param name="IssuerGrade">The guideline's own wording of the strength.</param>
/// <param name="Issuer">The guideline (ACR/AF, OARSI, AAOS, NICE, ...).</param>
/// <param name="Tried">Whether the patient's prior treatments include it.</param>
/// <param name="RuleId">The rule that selected it.</param>
/// <param name="Sources">Where it comes from.</param>
public sealed record ConventionalOption(
    string Id, string Treatment, string Label, string Text, string Strength, string? IssuerGrade, string Issuer, bool Tried, string RuleId, IReadOnlyList<Source> Sources);

/// <summary>How the inputs were used.</summary>
/// <param name="Used">The values the rules saw (duplicates folded, defaults applied).</param>
/// <param name="Defaulted">Inputs that were not given and took a default, with the value used.</param>
/// <param name="Unknown">Optional inputs that were not given and had no default.</param>
/// <param name="Notes">Plain-language notes about the inputs.</param>
public sealed record EvaluationInputs(
    UsedInputs Used, IReadOnlyDictionary<string, string> Defaulted, IReadOnlyList<string> Unknown, IReadOnlyList<string> Notes);

/// <summary>The inputs as the rules saw them.</summary>
public sealed record UsedInputs(
    int? Age, int? KlGrade, IReadOnlyList<string> PriorTreatments, double? Bmi, IReadOnlyList<string> Conditions, string Jurisdiction)
{
    /// <summary>Treatment codes that could not be checked in the chart (a CDS card's profile; the page's link carries
    /// them, issue #20). Not part of the JSON answer.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Unchecked { get; init; } = [];
}

/// <summary>One rule evaluated for this profile.</summary>
/// <param name="RuleId">Rule id (see GET /v1/rules/{id}).</param>
/// <param name="Kind">assessment, assessment-note, caveat, evidence, safety, claim-check or option.</param>
/// <param name="Matched">Whether the rule matched (unconditional rules always match).</param>
/// <param name="Conditions">Each condition with its expected and actual value; empty for an unconditional rule.</param>
public sealed record TraceEntry(string RuleId, string Kind, bool Matched, IReadOnlyList<TraceCondition> Conditions)
{
    // Equality is what the JSON entry says: conditions compared one by one, not as list instances.
    public bool Equals(TraceEntry? other) =>
        other is not null && RuleId == other.RuleId && Kind == other.Kind && Matched == other.Matched && Conditions.SequenceEqual(other.Conditions);

    public override int GetHashCode() => HashCode.Combine(RuleId, Kind, Matched, Conditions.Count);
}

/// <summary>
/// The profile-independent part of a rule's trace entry: its id and kind, and each condition's clause, field and
/// expected text, in the order of <see cref="TraceEntry.Conditions"/>. One instance per rule of a loaded store
/// (<see cref="EvaluationTrace.Shape"/>).
/// </summary>
public sealed class TraceShape(string ruleId, string kind, IReadOnlyList<TraceShape.Condition> conditions)
{
    public string RuleId { get; } = ruleId;

    public string Kind { get; } = kind;

    public IReadOnlyList<Condition> Conditions { get; } = conditions;

    /// <summary>Kept for a writer: its encoded form of this shape (any thread may set it; every value set is equivalent).</summary>
    public object? WriterCache { get; set; }

    /// <summary>One condition's fixed part.</summary>
    public sealed record Condition(int Clause, string Field, string Expected);
}

/// <summary>One condition of a rule.</summary>
/// <param name="Clause">Conditions in the same clause must all hold; the rule matches when any clause holds.</param>
/// <param name="Field">Profile field.</param>
/// <param name="Expected">What the rule expects, e.g. <c>2..3</c>, <c>&gt;= 30</c>, <c>none of [exercise-therapy]</c>.</param>
/// <param name="Actual">The profile's value; null when not provided.</param>
/// <param name="Matched">Whether this condition held.</param>
public sealed record TraceCondition(int Clause, string Field, string Expected, string? Actual, bool Matched);

/// <summary>The curated store that produced the answer.</summary>
/// <param name="Version">Store version.</param>
/// <param name="ReleasedOn">Release date.</param>
/// <param name="ContentHash">SHA-256 of the store's content.</param>
public sealed record RuleStoreInfo(string Version, string ReleasedOn, string ContentHash);
