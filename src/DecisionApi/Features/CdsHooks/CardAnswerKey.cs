using System.Text;
using DecisionApi.Infrastructure;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;

namespace DecisionApi.Features.CdsHooks;

/// <summary>The memo key of a card (<see cref="AnswerMemo"/>): every input the card depends on.</summary>
public static class CardAnswerKey
{
    /// <summary>A card's inputs: the chart's profile, what it could not provide and what it documents, the hook's card kind, the language and the base URL of the link.</summary>
    public static string ForCard(
        PatientProfile profile, IReadOnlyList<(string Key, string? What)> unknowns, IReadOnlyList<RecognisedTreatment> recognised,
        bool patientView, Language language, string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(unknowns);
        ArgumentNullException.ThrowIfNull(recognised);
        var key = AnswerKey.Append(new StringBuilder(192), profile).Append('|').Append(language == Language.Zh ? "zh" : "en").Append(patientView ? "|pv|" : "|order|");
        foreach (var (name, what) in unknowns)
        {
            AnswerKey.Text(key, name).Append(':');
            AnswerKey.Text(key, what).Append(';');
        }

        key.Append('|');
        foreach (var found in recognised)
        {
            AnswerKey.Text(key, found.Treatment).Append(':').Append((int)found.By).Append(':');
            AnswerKey.Text(key, found.Code).Append(':');
            AnswerKey.Text(key, found.Term).Append(':');
            AnswerKey.Text(key, found.TopicalTerm).Append(';');
        }

        key.Append('|');
        return AnswerKey.Text(key, baseUrl).ToString();
    }
}
