using DecisionApi.Infrastructure;
using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DecisionApi.Features.Catalog;

/// <summary>Read-only views of the curated store: vocabularies, sources, rules and claim checks.</summary>
public static class CatalogEndpoints
{
    public static IEndpointRouteBuilder MapCatalog(this IEndpointRouteBuilder routes)
    {
        var vocabularies = routes.MapGroup("").WithTags("Vocabularies");
        vocabularies.MapGet("/treatments", GetTreatments)
            .WithName("ListTreatments")
            .WithSummary("Treatment vocabulary")
            .WithDescription("Every code accepted in priorTreatments, with its label, category (first-line, injection, surgical, arthroplasty) and the FHIR codes that identify it, each mapping with its verification status.");
        vocabularies.MapGet("/treatments/recognition", GetTreatmentRecognition)
            .WithName("ListTreatmentRecognition")
            .WithSummary("How prior treatments are recognised in FHIR charts")
            .WithDescription("For the CDS Hooks prefetch: every curated way a prior treatment is recognised beyond the codes in GET /v1/treatments — medication codes (RxNorm), medication classes by code prefix (ATC), ingredient and brand names matched in medication texts, dose-form words that make a medication topical, and activity codes (SNOMED CT) and words in Procedure, ServiceRequest and CarePlan — each with the source it was found in and its verification status. A medication with a topicalTreatment is that treatment when its form is topical.");
        vocabularies.MapGet("/conditions", GetConditions)
            .WithName("ListConditions")
            .WithSummary("Condition vocabulary")
            .WithDescription("Every code accepted in conditions, with its label. Most are conditions that MSC knee trials excluded; anticoagulant-therapy adds a safety point.");

        var sources = routes.MapGroup("/sources").WithTags("Sources");
        sources.MapGet("", GetSources)
            .WithName("ListSources")
            .WithSummary("Every citation in the store")
            .WithDescription("Guidelines, trials, reviews and regulatory pages behind the statements, each with PMID, DOI or canonical URL and its verification status (verified, or secondary: seen only in a secondary transcription).");
        sources.MapGet("/{id}", GetSource)
            .WithName("GetSource")
            .WithSummary("One citation")
            .WithDescription("One source by id, e.g. mautner-2023.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var rules = routes.MapGroup("/rules").WithTags("Rules");
        rules.MapGet("", GetRules)
            .WithName("ListRules")
            .WithSummary("Every rule and its conditions")
            .WithDescription("The rules in evaluation order, with their typed conditions, so that a clinician can review why a statement was or was not shown. Assessment rules come first; the first that matches decides the category.");
        rules.MapGet("/{id}", GetRule)
            .WithName("GetRule")
            .WithSummary("One rule")
            .WithDescription("One rule by id, e.g. assessment.investigational-only or select.caveat.acr-af-2019.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        routes.MapGet("/claim-checks", GetClaimChecks)
            .WithTags("Claim checks")
            .WithName("ListClaimChecks")
            .WithSummary("Every claim check")
            .WithDescription("Claims often made about MSC injections for knee OA (for example that 1×10⁸ cells is the optimal dose), each with what the sources show and a verdict. An evaluation returns the ones relevant to the profile.");
        return routes;
    }

    public static Ok<IReadOnlyList<VocabularyItem>> GetTreatments(RuleStoreSnapshot store, RequestLanguage language) =>
        TypedResults.Ok(Vocabulary(store.Treatments, language));

    public static Ok<IReadOnlyList<RecognitionView>> GetTreatmentRecognition(RuleStoreSnapshot store) =>
        TypedResults.Ok<IReadOnlyList<RecognitionView>>([.. store.Recognition.Select(r => new RecognitionView(
            r.Kind, r.Treatment, r.TopicalTreatment, r.System, r.Code, r.Term, r.Display, r.Source.Id, r.Verification))]);

    public static Ok<IReadOnlyList<VocabularyItem>> GetConditions(RuleStoreSnapshot store, RequestLanguage language) =>
        TypedResults.Ok(Vocabulary(store.Conditions, language));

    public static Ok<IReadOnlyList<Source>> GetSources(RuleStoreSnapshot store) => TypedResults.Ok(store.Sources);

    /// <param name="id">Source id, e.g. mautner-2023 or kolasinski-2020.</param>
    /// <param name="store">The loaded rule store.</param>
    public static Results<Ok<Source>, ProblemHttpResult> GetSource(string id, RuleStoreSnapshot store) =>
        store.SourcesById.TryGetValue(id, out var source)
            ? TypedResults.Ok(source)
            : NotFound("Source not found", $"No source has id '{id}'. GET /v1/sources lists them all.");

    public static Ok<IReadOnlyList<RuleView>> GetRules(RuleStoreSnapshot store, RequestLanguage language) =>
        TypedResults.Ok<IReadOnlyList<RuleView>>([.. store.Rules.Select(rule => View(rule, language.Value))]);

    /// <param name="id">Rule id, e.g. assessment.investigational-only or select.caveat.acr-af-2019.</param>
    /// <param name="store">The loaded rule store.</param>
    /// <param name="language">Text language.</param>
    public static Results<Ok<RuleView>, ProblemHttpResult> GetRule(string id, RuleStoreSnapshot store, RequestLanguage language) =>
        store.RulesById.TryGetValue(id, out var rule)
            ? TypedResults.Ok(View(rule, language.Value))
            : NotFound("Rule not found", $"No rule has id '{id}'. GET /v1/rules lists them all.");

    public static Ok<IReadOnlyList<ClaimCheckItem>> GetClaimChecks(RuleStoreSnapshot store, RequestLanguage language) =>
        TypedResults.Ok<IReadOnlyList<ClaimCheckItem>>(
        [
            .. store.Rules.Where(r => r.Kind == Vocab.Kinds.ClaimCheck).Select(r => new ClaimCheckItem(
                r.Statement.Id, r.Statement.Claim.In(language.Value), r.Statement.Text.In(language.Value), r.Statement.Row.Verdict!, r.Id, r.Statement.Sources)),
        ]);

    private static IReadOnlyList<VocabularyItem> Vocabulary(IReadOnlyList<VocabularyEntry> entries, RequestLanguage language) =>
        [.. entries.Select(e => new VocabularyItem(e.Code, e.Label.In(language.Value), e.Category, e.Codes))];

    private static RuleView View(Rule rule, Language language)
    {
        var statement = rule.Statement;
        var text = rule.Kind == Vocab.Kinds.Assessment ? statement.Headline.In(language) : statement.Text.In(language);
        return new RuleView(
            rule.Id, rule.Kind, rule.Ordinal, statement.Id, statement.Row.Category, text, rule.IsUnconditional,
            [.. rule.Clauses.Select(clause => (IReadOnlyList<RuleConditionView>)[.. clause.Select(ConditionView)])],
            statement.Sources);
    }

    private static RuleConditionView ConditionView(Condition c) =>
        new(c.Field, c.Op, ConditionText.Expected(c), c.Value, c.Min, c.Max, c.Codes.Count == 0 ? null : c.Codes);

    private static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status404NotFound);
}
