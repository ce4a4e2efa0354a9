using DecisionApi.Infrastructure;
using DecisionApi.RuleStore.Evaluation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

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
        EvaluationRequest request, RequestLanguage language, RuleStoreEngine engine, IOptions<JsonOptions> json, ILogger<EvaluationRequest> logger)
    {
        // The answer is a pure function of the profile, the language and the store: with the answer memo on
        // (AnswerMemo:EvaluationMegabytes) a profile asked before is answered with the bytes encoded then.
        var profile = request.ToProfile();
        var version = engine.Snapshot.Version;
        var memo = engine.EvaluationAnswers;
        JsonOk<EvaluationResult> answer;
        string category;
        if (!memo.Enabled)
        {
            var result = engine.Evaluator.Evaluate(profile, language.Value);
            category = result.Assessment.Category;
            answer = new JsonOk<EvaluationResult>(result);
        }
        else
        {
            var key = AnswerKey.ForEvaluation(profile, language.Value);
            if (memo.TryGet(key, out var encoded))
            {
                category = encoded.Category;
                answer = new JsonOk<EvaluationResult>(encoded);
            }
            else
            {
                var result = engine.Evaluator.Evaluate(profile, language.Value);
                category = result.Assessment.Category;
                if (memo.ShouldKeep(key))
                {
                    encoded = new EncodedAnswer(JsonAnswer.Encode(result, json.Value.SerializerOptions), category);
                    memo.Add(key, encoded);
                    answer = new JsonOk<EvaluationResult>(encoded);
                }
                else
                {
                    answer = new JsonOk<EvaluationResult>(result);
                }
            }
        }

        Telemetry.Evaluations.Add(1, new("category", category), new("store.version", version));
        // The category and the store are the audit facts; the matched rules are in the answer's trace, not the log.
        LogEvaluation(logger, category, version);
        return answer;
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "audit evaluation assessment={Assessment} store={StoreVersion}")]
    private static partial void LogEvaluation(ILogger logger, string assessment, string storeVersion);
}
