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
    public IReadOnlyList<string> Unchecked { get; } = profile.Unchecked ?? [];
    public string? Category { get; set; }

    public double? Number(FieldKind field) => field switch
    {
        FieldKind.Age => Age,
        FieldKind.KlGrade => KlGrade,
        FieldKind.Bmi => Bmi,
        _ => null,
    };

    public IReadOnlyList<string> Codes(FieldKind field) => field switch
    {
        FieldKind.PriorTreatments => PriorTreatments,
        FieldKind.Conditions => Conditions,
        FieldKind.Jurisdiction => jurisdictionCodes ??= [Jurisdiction],
        FieldKind.Category => Category is null ? [] : categoryCodes is { } known && known[0] == Category ? known : categoryCodes = [Category],
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
    public string? Actual(FieldKind field) => field switch
    {
        FieldKind.Age => Age is null ? null : ageText ??= Age.Value.ToString(CultureInfo.InvariantCulture),
        FieldKind.KlGrade => KlGrade is null ? null : klGradeText ??= KlGrade.Value.ToString(CultureInfo.InvariantCulture),
        FieldKind.Bmi => Bmi is null ? null : bmiText ??= Bmi.Value.ToString(CultureInfo.InvariantCulture),
        FieldKind.PriorTreatments => priorTreatmentsText ??= "[" + string.Join(", ", PriorTreatments) + "]",
        FieldKind.Conditions => conditionsText ??= "[" + string.Join(", ", Conditions) + "]",
        FieldKind.Jurisdiction => Jurisdiction,
        FieldKind.Category => Category,
        _ => null,
    };
}

/// <summary>A profile field a condition reads, resolved once per store instead of compared as text per check.</summary>
internal enum FieldKind
{
    Other,
    Age,
    KlGrade,
    Bmi,
    PriorTreatments,
    Conditions,
    Jurisdiction,
    Category,
}

/// <summary>A condition's operator, resolved once per store.</summary>
internal enum OpKind
{
    Other,
    Between,
    AtLeast,
    Below,
    Missing,
    AnyOf,
    NoneOf,
}

/// <summary>A rule condition as the evaluator checks it: field and operator resolved, and its trace text, built once per store.</summary>
internal sealed class CompiledCondition(Condition condition)
{
    public Condition Source { get; } = condition;
    public string FieldName { get; } = condition.Field;
    public FieldKind Field { get; } = KindOf(condition.Field);

    public static FieldKind KindOf(string field) => field switch
    {
        Vocab.Fields.Age => FieldKind.Age,
        Vocab.Fields.KlGrade => FieldKind.KlGrade,
        Vocab.Fields.Bmi => FieldKind.Bmi,
        Vocab.Fields.PriorTreatments => FieldKind.PriorTreatments,
        Vocab.Fields.Conditions => FieldKind.Conditions,
        Vocab.Fields.Jurisdiction => FieldKind.Jurisdiction,
        Vocab.Fields.Category => FieldKind.Category,
        _ => FieldKind.Other,
    };

    public OpKind Op { get; } = condition.Op switch
    {
        Vocab.Ops.Between => OpKind.Between,
        Vocab.Ops.AtLeast => OpKind.AtLeast,
        Vocab.Ops.Below => OpKind.Below,
        Vocab.Ops.Missing => OpKind.Missing,
        Vocab.Ops.IncludesAny or Vocab.Ops.In => OpKind.AnyOf,
        Vocab.Ops.IncludesNone or Vocab.Ops.NotIn => OpKind.NoneOf,
        _ => OpKind.Other,
    };

    public string Expected { get; } = ConditionText.Expected(condition);

    public bool Holds(ProfileFacts facts) => Op switch
    {
        OpKind.Between => facts.Number(Field) is { } number && number >= Source.Min && number <= Source.Max,
        OpKind.AtLeast => facts.Number(Field) >= Source.Value,
        OpKind.Below => facts.Number(Field) < Source.Value,
        OpKind.Missing => facts.Number(Field) is null,
        OpKind.AnyOf => AnyOf(Source.Codes, facts.Codes(Field)),
        OpKind.NoneOf => !AnyOf(Source.Codes, facts.Codes(Field)),
        _ => false,
    };

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

/// <summary>A rule's clauses compiled (conditions in the same clause must all hold; any clause holding matches).</summary>
internal sealed class CompiledRule
{
    /// <param name="rule">The rule.</param>
    /// <param name="traceBit">Where this rule's bits start in a trace: its own, then one per condition.</param>
    public CompiledRule(Rule rule, int traceBit)
    {
        Clauses = [.. rule.Clauses.Select(clause => clause.Select(c => new CompiledCondition(c)).ToArray())];
        Conditions = [.. Clauses.SelectMany(clause => clause)];
        ConditionCount = Conditions.Length;
        TraceBit = traceBit;
        Shape = new TraceShape(
            rule.Id, rule.Kind,
            [.. Clauses.SelectMany((clause, index) => clause.Select(c => new TraceShape.Condition(index + 1, c.FieldName, c.Expected)))]);
    }

    public CompiledCondition[][] Clauses { get; }

    /// <summary>Every condition, clause after clause: the order of the trace.</summary>
    public CompiledCondition[] Conditions { get; }

    public int ConditionCount { get; }

    public int TraceBit { get; }

    /// <summary>What this rule's trace entry always says, shared by every entry of it.</summary>
    public TraceShape Shape { get; }

    /// <summary>Whether clause <paramref name="index"/> holds.</summary>
    public bool ClauseHolds(int index, ProfileFacts facts) => AllHold(Clauses[index], facts);

    /// <summary>
    /// Whether clause <paramref name="index"/> rests on something that could not be checked: one of its "none of"
    /// conditions on prior treatments names only treatments the profile could not check.
    /// </summary>
    public bool ClauseRestsOnUnchecked(int index, ProfileFacts facts)
    {
        if (facts.Unchecked.Count == 0)
        {
            return false;
        }

        foreach (var condition in Clauses[index])
        {
            if (condition.Op == OpKind.NoneOf && condition.Field == FieldKind.PriorTreatments
                && condition.Source.Codes.All(code => facts.Unchecked.Contains(code, StringComparer.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The index of the first clause that holds, or -1.</summary>
    public int FirstHoldingClause(ProfileFacts facts)
    {
        for (var index = 0; index < Clauses.Length; index++)
        {
            if (AllHold(Clauses[index], facts))
            {
                return index;
            }
        }

        return -1;
    }

    private static bool AllHold(CompiledCondition[] clause, ProfileFacts facts)
    {
        foreach (var condition in clause)
        {
            if (!condition.Holds(facts))
            {
                return false;
            }
        }

        return true;
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
