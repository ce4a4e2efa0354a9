using DecisionApi.Infrastructure;
using DecisionApi.RuleStore.Evaluation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace DecisionApi.Features.Evaluations;

public static partial class EvaluationEndpoints
{
    /// <summary>Maps POST evaluations on <paramref name="routes"/> (the <c>/v1</c> group, which declares access and limits).</summary>
    public static IEndpointRouteBuilder MapEvaluations(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/evaluations", Evaluate)
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
        string rules;
        if (!memo.Enabled)
        {
            var result = engine.Evaluator.Evaluate(profile, language.Value);
            category = result.Assessment.Category;
            rules = result.AuditRules;
            answer = new JsonOk<EvaluationResult>(result);
        }
        else
        {
            var key = AnswerKey.ForEvaluation(profile, language.Value);
            if (memo.TryGet(key, out var encoded))
            {
                category = encoded.Category;
                rules = encoded.AuditRules;
                answer = new JsonOk<EvaluationResult>(encoded);
            }
            else
            {
                var result = engine.Evaluator.Evaluate(profile, language.Value);
                category = result.Assessment.Category;
                rules = result.AuditRules;
                if (memo.ShouldKeep(key))
                {
                    encoded = new EncodedAnswer(JsonAnswer.Encode(result, json.Value.SerializerOptions), category, rules);
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
        // The audit facts (spec §8): the category, the store and the rules behind the answer — never a profile value.
        LogEvaluation(logger, category, version, rules);
        return answer;
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "audit evaluation assessment={Assessment} store={StoreVersion} rules={Rules}")]
    private static partial void LogEvaluation(ILogger logger, string assessment, string storeVersion, string rules);
}
