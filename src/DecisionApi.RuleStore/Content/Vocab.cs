namespace DecisionApi.RuleStore.Content;

/// <summary>The closed sets of values the schema allows. Content outside them fails the lint.</summary>
public static class Vocab
{
    public const int SchemaVersion = 4;

    public static class Kinds
    {
        public const string Assessment = "assessment";
        public const string AssessmentNote = "assessment-note";
        public const string Caveat = "caveat";
        public const string Evidence = "evidence";
        public const string Safety = "safety";
        public const string ClaimCheck = "claim-check";
        public const string Option = "option";

        public static readonly string[] All = [Assessment, AssessmentNote, Caveat, Evidence, Safety, ClaimCheck, Option];
    }

    public static class Fields
    {
        public const string Age = "age";
        public const string KlGrade = "klGrade";
        public const string Bmi = "bmi";
        public const string PriorTreatments = "priorTreatments";
        public const string Conditions = "conditions";
        public const string Jurisdiction = "jurisdiction";
        public const string Category = "category";

        /// <summary>The numeric profile fields: each has one bound in the store (<c>store.yaml</c> <c>profileBounds</c>).</summary>
        public static readonly string[] Numeric = [Age, KlGrade, Bmi];
    }

    public static class Ops
    {
        public const string Between = "between";
        public const string AtLeast = "atLeast";
        public const string Below = "below";
        public const string Missing = "missing";
        public const string IncludesAny = "includesAny";
        public const string IncludesNone = "includesNone";
        public const string In = "in";
        public const string NotIn = "notIn";
    }

    public static readonly IReadOnlyDictionary<string, string[]> OpsByField = new Dictionary<string, string[]>
    {
        [Fields.Age] = [Ops.Between, Ops.AtLeast, Ops.Below, Ops.Missing],
        [Fields.KlGrade] = [Ops.Between, Ops.AtLeast, Ops.Below, Ops.Missing],
        [Fields.Bmi] = [Ops.Between, Ops.AtLeast, Ops.Below, Ops.Missing],
        [Fields.PriorTreatments] = [Ops.IncludesAny, Ops.IncludesNone],
        [Fields.Conditions] = [Ops.IncludesAny, Ops.IncludesNone],
        [Fields.Jurisdiction] = [Ops.In, Ops.NotIn],
        [Fields.Category] = [Ops.In, Ops.NotIn],
    };

    public static readonly string[] Categories =
        ["not-applicable", "excluded-condition", "outside-evidence-base", "conventional-care-first", "arthroplasty-evaluation", "investigational-only"];

    /// <summary>Outcomes of a structured effect (summary of findings).</summary>
    public static readonly string[] EffectOutcomes =
        ["pain", "function", "quality-of-life", "structure", "adverse-events", "serious-adverse-events", "local-reactions"];

    /// <summary>Effect measures: mean difference on the stated scale, standardised mean difference, risk ratio, odds ratio.</summary>
    public static readonly string[] EffectMeasures = ["mean-difference", "standardised-mean-difference", "risk-ratio", "odds-ratio"];

    /// <summary>GRADE certainty of a structured effect (an effect always has one).</summary>
    public static readonly string[] EffectCertainties = ["high", "moderate", "low", "very-low"];

    public static readonly string[] SourceKinds =
        ["guideline", "systematic-review", "meta-analysis", "rct", "single-arm-trial", "cohort", "case-series", "consensus", "regulatory", "report", "terminology"];

    public static readonly string[] Verifications = ["verified", "secondary"];
    public static readonly string[] Severities = ["critical", "warning", "info"];

    /// <summary>How a source host may be used: for any source, or only for sources marked secondary.</summary>
    public static readonly string[] HostUses = ["canonical", "secondary"];
    public static readonly string[] Topics = ["efficacy", "comparative", "dose", "route", "combination", "cell-source", "long-term", "population", "consensus"];
    public static readonly string[] Certainties = ["high", "moderate", "low", "very-low", "not-graded"];
    public static readonly string[] Directions = ["favours-msc", "no-difference", "uncertain", "against-msc"];
    public static readonly string[] Selections = ["population", "always"];
    public static readonly string[] Verdicts = ["supported", "partly-supported", "not-established", "contradicted", "misattributed"];
    public static readonly string[] Strengths = ["strong-for", "conditional-for", "conditional-against", "strong-against"];
    /// <summary>The kinds of chart-recognition entry (recognition.yaml).</summary>
    public static class RecognitionKinds
    {
        public const string MedicationCode = "medication-code";
        public const string MedicationClass = "medication-class";
        public const string MedicationName = "medication-name";
        public const string TopicalForm = "topical-form";
        public const string ActivityCode = "activity-code";
        public const string ActivityTerm = "activity-term";

        /// <summary>Words that show a past procedure (a replaced knee) in a Procedure or a problem-list Condition only:
        /// never in referrals or care plans, where they name what is planned or considered.</summary>
        public const string HistoryTerm = "history-term";

        /// <summary>Drug names that show a condition (e.g. anticoagulant therapy): the entry's treatment field holds a
        /// condition code from the condition vocabulary.</summary>
        public const string ConditionMedicationName = "condition-medication-name";

        /// <summary>Words that, written before a history term in the same text, make it something not done (negated,
        /// possible, being evaluated): such a mention is reported as not confirmed, never applied. No treatment.</summary>
        public const string HistoryNotDoneCue = "history-not-done-cue";

        public static readonly string[] All =
            [MedicationCode, MedicationClass, MedicationName, TopicalForm, ActivityCode, ActivityTerm, HistoryTerm, HistoryNotDoneCue, ConditionMedicationName];
    }

    public static readonly string[] TreatmentCategories = ["first-line", "injection", "surgical", "arthroplasty"];

    /// <summary>Every seed claim that evidence.md §0 audits; each must be answered by a claim check.</summary>
    public static readonly string[] SeedClaims =
    [
        "optimal-dose-1e8", "acc-heparin", "aaos-attribution", "recommended-after-failed-care", "arthroscopy-synergy",
        "routine-imaging", "tka-rates-4-6-vs-1-3", "yanuarso-study-counts", "high-dose-durability", "subchondral-vs-ia",
        "adipose-procoagulant", "acr-af-against", "cartilage-regeneration",
    ];

    /// <summary>The two caveats every evaluation carries, whatever the profile.</summary>
    public static readonly string[] CoreCaveatIssuers = ["ACR/AF", "FDA"];

    /// <summary>
    /// Card suggestions, offered by <c>cds.suggestion.&lt;category&gt;.&lt;position&gt;.&lt;suggestion&gt;</c> texts: removing
    /// the draft MSC order, or a referral for a treatment that has a verified code in <see cref="ReferralCodeSystem"/>.
    /// </summary>
    public static class Suggestions
    {
        public const string TextPrefix = "cds.suggestion.";
        public const string RemoveOrder = "remove-msc-order";
        public const string ReferralPrefix = "referral.";
        public const string ReferralCodeSystem = "http://snomed.info/sct";

        /// <summary>The text naming a referral to a service (not a treatment): <c>cds.referralLabel.&lt;target&gt;</c>.</summary>
        public const string ReferralLabelPrefix = "cds.referralLabel.";

        /// <summary>The treatment category a referral suggestion may name.</summary>
        public const string ReferralTreatmentCategory = "first-line";
    }

    public static class MetadataKeys
    {
        public const string SchemaVersion = "schemaVersion";
        public const string Version = "version";
        public const string ReleasedOn = "releasedOn";
        public const string ReviewedOn = "reviewedOn";
        public const string ContentHash = "contentHash";

        /// <summary>The source-host allowlist (source-hosts.yaml), one "host|use|kind,kind" line per host.</summary>
        public const string SourceHosts = "sourceHosts";
        public const string ReviewIntervalMonths = "reviewIntervalMonths";
    }
}
