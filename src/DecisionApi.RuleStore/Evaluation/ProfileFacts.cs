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
        Vocab.Fields.Jurisdiction => [Jurisdiction],
        Vocab.Fields.Category => Category is null ? [] : [Category],
        _ => [],
    };

    public string? Actual(string field) => field switch
    {
        Vocab.Fields.Age or Vocab.Fields.KlGrade or Vocab.Fields.Bmi => Number(field)?.ToString(CultureInfo.InvariantCulture),
        Vocab.Fields.PriorTreatments or Vocab.Fields.Conditions => "[" + string.Join(", ", Codes(field)) + "]",
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
            Vocab.Ops.IncludesAny or Vocab.Ops.In => condition.Codes.Any(codes.Contains),
            Vocab.Ops.IncludesNone or Vocab.Ops.NotIn => !condition.Codes.Any(codes.Contains),
            _ => false,
        };
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
