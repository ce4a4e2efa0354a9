using System.Globalization;
using DecisionApi.RuleStore.Content;

namespace DecisionApi.RuleStore.Evaluation;

/// <summary>The profile as the rules see it: sets for lookups, the jurisdiction resolved, the category once assessed.</summary>
internal sealed class ProfileFacts(PatientProfile profile, string jurisdiction)
{
    public int? Age { get; } = profile.Age;
    public int? KlGrade { get; } = profile.KlGrade;
    public double? Bmi { get; } = profile.Bmi;
    public IReadOnlyList<string> PriorTreatments { get; } = [.. profile.PriorTreatments.Distinct(StringComparer.Ordinal)];
    public IReadOnlyList<string> Conditions { get; } = [.. (profile.Conditions ?? []).Distinct(StringComparer.Ordinal)];
    public string Jurisdiction { get; } = jurisdiction;
    public string? Category { get; set; }

    public double? Number(string field) => field switch
    {
        Vocab.Fields.Age => Age,
        Vocab.Fields.KlGrade => KlGrade,
        Vocab.Fields.Bmi => Bmi,
        _ => null,
    };

    public IReadOnlyList<string> Codes(string field) => field switch
    {
        Vocab.Fields.PriorTreatments => PriorTreatments,
        Vocab.Fields.Conditions => Conditions,
        Vocab.Fields.Jurisdiction => jurisdictionCodes ??= [Jurisdiction],
        Vocab.Fields.Category => Category is null ? [] : categoryCodes is { } known && known[0] == Category ? known : categoryCodes = [Category],
        _ => [],
    };

    private string[]? jurisdictionCodes;
    private string[]? categoryCodes;
    private string? priorTreatmentsText;
    private string? conditionsText;
    private string? ageText;
    private string? klGradeText;
    private string? bmiText;

    /// <summary>The profile's value of a field as the trace shows it; each formatted once per evaluation.</summary>
    public string? Actual(string field) => field switch
    {
        Vocab.Fields.Age => Age is null ? null : ageText ??= Age.Value.ToString(CultureInfo.InvariantCulture),
        Vocab.Fields.KlGrade => KlGrade is null ? null : klGradeText ??= KlGrade.Value.ToString(CultureInfo.InvariantCulture),
        Vocab.Fields.Bmi => Bmi is null ? null : bmiText ??= Bmi.Value.ToString(CultureInfo.InvariantCulture),
        Vocab.Fields.PriorTreatments => priorTreatmentsText ??= "[" + string.Join(", ", PriorTreatments) + "]",
        Vocab.Fields.Conditions => conditionsText ??= "[" + string.Join(", ", Conditions) + "]",
        Vocab.Fields.Jurisdiction => Jurisdiction,
        Vocab.Fields.Category => Category,
        _ => null,
    };
}

internal static class ConditionEvaluator
{
    public static bool Holds(Condition condition, ProfileFacts facts)
    {
        var number = facts.Number(condition.Field);
        var codes = facts.Codes(condition.Field);
        return condition.Op switch
        {
            Vocab.Ops.Between => number >= condition.Min && number <= condition.Max,
            Vocab.Ops.AtLeast => number >= condition.Value,
            Vocab.Ops.Below => number < condition.Value,
            Vocab.Ops.Missing => number is null,
            Vocab.Ops.IncludesAny or Vocab.Ops.In => AnyOf(condition.Codes, codes),
            Vocab.Ops.IncludesNone or Vocab.Ops.NotIn => !AnyOf(condition.Codes, codes),
            _ => false,
        };
    }

    private static bool AnyOf(IReadOnlyList<string> wanted, IReadOnlyList<string> present)
    {
        for (var i = 0; i < wanted.Count; i++)
        {
            for (var j = 0; j < present.Count; j++)
            {
                if (string.Equals(wanted[i], present[j], StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }
}

/// <summary>A condition in words, as the trace and the rules listing show it.</summary>
public static class ConditionText
{
    public static string Expected(Condition condition) => condition.Op switch
    {
        Vocab.Ops.Between => string.Create(CultureInfo.InvariantCulture, $"{condition.Min}..{condition.Max}"),
        Vocab.Ops.AtLeast => string.Create(CultureInfo.InvariantCulture, $">= {condition.Value}"),
        Vocab.Ops.Below => string.Create(CultureInfo.InvariantCulture, $"< {condition.Value}"),
        Vocab.Ops.Missing => "not provided",
        Vocab.Ops.IncludesAny => $"any of [{string.Join(", ", condition.Codes)}]",
        Vocab.Ops.IncludesNone => $"none of [{string.Join(", ", condition.Codes)}]",
        Vocab.Ops.In => $"one of [{string.Join(", ", condition.Codes)}]",
        Vocab.Ops.NotIn => $"not one of [{string.Join(", ", condition.Codes)}]",
        _ => condition.Op,
    };
}
