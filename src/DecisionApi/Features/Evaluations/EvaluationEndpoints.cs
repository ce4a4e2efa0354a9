using DecisionApi.Infrastructure;
using DecisionApi.RuleStore.Evaluation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DecisionApi.Features.Evaluations;

public static partial class EvaluationEndpoints
{
    public static IEndpointRouteBuilder MapEvaluations(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/evaluations", Evaluate)
            .WithTags("Evaluations")
            .WithName("EvaluateProfile")
            .WithSummary("Evidence summary for a patient profile")
            .WithDescription(
                "Evaluates an adult knee-OA patient's profile (age, Kellgren-Lawrence grade, prior treatments, optional BMI, " +
                "conditions and jurisdiction) against the curated rule store and returns an assessment category, the two core " +
                "caveats (ACR/AF strongly recommends against stem-cell injections; no MSC product is FDA-approved for OA), the " +
                "evidence that applies with its certainty, safety points, relevant claim checks, first-line options with whether " +
                "they were tried, how each input was used, and a trace of every rule. Decision support only, not a directive. " +
                "Text language follows Accept-Language (en, zh).")
            .Accepts<EvaluationRequest>("application/json")
            .AddEndpointFilter<ValidationFilter<EvaluationRequest>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return routes;
    }

    /// <summary>Evaluates one profile.</summary>
    public static Results<JsonOk<EvaluationResult>, ValidationProblem> Evaluate(
        EvaluationRequest request, RequestLanguage language, Evaluator evaluator, ILogger<EvaluationRequest> logger)
    {
        var profile = request.ToProfile();
        var result = evaluator.Evaluate(profile, language.Value);
        Telemetry.Evaluations.Add(1, new("category", result.Assessment.Category), new("store.version", result.RuleStore.Version));
        // The category and the store are the audit facts; the matched rules are in the answer's trace, not the log.
        LogEvaluation(logger, result.Assessment.Category, result.RuleStore.Version);

        return new JsonOk<EvaluationResult>(result);
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "audit evaluation category={Category} store={StoreVersion}")]
    private static partial void LogEvaluation(ILogger logger, string category, string storeVersion);
}
