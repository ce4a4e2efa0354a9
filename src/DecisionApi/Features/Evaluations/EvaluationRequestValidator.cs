using System.Globalization;
using System.Text.Json;
using DecisionApi.RuleStore.Evaluation;
using DecisionApi.RuleStore;
using FluentValidation;

namespace DecisionApi.Features.Evaluations;

public sealed class EvaluationRequestValidator : AbstractValidator<EvaluationRequest>
{
    // Error keys must be the JSON field names (camelCase) so a portal can show each message next to its input.
    static EvaluationRequestValidator() => ValidatorOptions.Global.PropertyNameResolver =
        (_, member, _) => member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);

    public EvaluationRequestValidator(RuleStoreSnapshot store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var (age, kl, bmi) = (store.Bounds.Age, store.Bounds.KlGrade, store.Bounds.Bmi);
        RuleFor(r => r.Age)
            .NotNull().WithMessage("'age' is required (whole years).")
            .GreaterThanOrEqualTo(age.IntMin).WithMessage(Invariant($"'age' is {{PropertyValue}}: DecisionApi covers adults ({age.IntMin} years or older) only."))
            .LessThanOrEqualTo(age.IntMax).WithMessage(Invariant($"'age' must be {age.IntMax} or less."));

        RuleFor(r => r.KlGrade)
            .NotNull().WithMessage(Invariant($"'klGrade' is required (Kellgren-Lawrence grade {kl.IntMin}–{kl.IntMax})."))
            .InclusiveBetween(kl.IntMin, kl.IntMax).WithMessage(Invariant($"'klGrade' must be a Kellgren-Lawrence grade from {kl.IntMin} to {kl.IntMax}."));

        RuleFor(r => r.PriorTreatments)
            .NotNull().WithMessage("'priorTreatments' is required; send [] when no treatment has been tried.")
            .Must(codes => codes is null || codes.Count <= store.Treatments.Count * 2).WithMessage("'priorTreatments' lists too many codes.")
            .Custom((codes, context) => ReportUnknownCodes(codes, store.TreatmentsByCode.ContainsKey, "treatment", "/v1/treatments", context));

        RuleFor(r => r.Bmi)
            .InclusiveBetween(bmi.Min, bmi.Max).When(r => r.Bmi is not null).WithMessage(Invariant($"'bmi' must be between {bmi.Min} and {bmi.Max} kg/m²."));

        RuleFor(r => r.Conditions)
            .Must(codes => codes is null || codes.Count <= store.Conditions.Count * 2).WithMessage("'conditions' lists too many codes.")
            .Custom((codes, context) => ReportUnknownCodes(codes, store.ConditionsByCode.ContainsKey, "condition", "/v1/conditions", context));

        RuleFor(r => r.Jurisdiction)
            .Matches("^[A-Za-z]{2}$").When(r => r.Jurisdiction is not null)
            .WithMessage("'jurisdiction' must be an ISO 3166-1 alpha-2 country code such as US, GB or KR.");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static void ReportUnknownCodes(
        IReadOnlyList<string?>? codes, Func<string, bool> isKnown, string kind, string vocabulary, ValidationContext<EvaluationRequest> context)
    {
        if (codes is null)
        {
            return;
        }

        if (codes.Any(string.IsNullOrWhiteSpace))
        {
            context.AddFailure($"Every {kind} code must be a non-empty string.");
        }

        var unknown = codes.Where(c => !string.IsNullOrWhiteSpace(c) && !isKnown(c!)).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            context.AddFailure($"Unknown {kind} code(s): {string.Join(", ", unknown.Select(c => $"'{Truncate(c!)}'"))}. The valid codes are listed at GET {vocabulary}.");
        }
    }

    /// <summary>An unknown code is quoted back only when it looks like a code (letters, digits, '-', '_', '.'; cut to 40);
    /// anything else is not echoed, so an error body never carries markup or control characters from the input.</summary>
    private static string Truncate(string code) =>
        !code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? "(not a code)"
        : code.Length <= 40 ? code : code[..40] + "…";
}
