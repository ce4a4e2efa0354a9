using System.Globalization;
using DecisionApi.Infrastructure;
using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DecisionApi.Features.About;

/// <summary>What the service is, for whom, and the ONC HTI-1 source attributes of its decision support.</summary>
/// <param name="Name">Service name.</param>
/// <param name="Purpose">What the service is for.</param>
/// <param name="IntendedUsers">Who it is for.</param>
/// <param name="IntendedPopulation">Which patients it covers.</param>
/// <param name="ClinicalSafety">Decision support, not a directive.</param>
/// <param name="Inputs">The profile fields it uses.</param>
/// <param name="RuleStore">The loaded store.</param>
/// <param name="SourceAttributes">ONC HTI-1 §170.315(b)(11)(iv)(A) source attributes.</param>
public sealed record AboutResponse(
    string Name, string Purpose, string IntendedUsers, string IntendedPopulation, string ClinicalSafety,
    IReadOnlyList<InputDescription> Inputs, StoreDescription RuleStore, SourceAttributes SourceAttributes);

/// <summary>One input field.</summary>
public sealed record InputDescription(string Field, bool Required, string Description);

/// <summary>The loaded rule store.</summary>
/// <param name="Version">Store version.</param>
/// <param name="ReleasedOn">Release date.</param>
/// <param name="ReviewedOn">Date the content was last reviewed.</param>
/// <param name="ContentHash">SHA-256 of the content.</param>
/// <param name="SchemaVersion">Store schema version.</param>
/// <param name="Counts">Number of items per kind.</param>
/// <param name="Review">Whether the evidence is current today: what is past its review-due date, and when the next review falls due.</param>
public sealed record StoreDescription(
    string Version, string ReleasedOn, string? ReviewedOn, string ContentHash, int SchemaVersion, IReadOnlyDictionary<string, int> Counts, ReviewState Review);

/// <summary>ONC HTI-1 source attributes for an evidence-based decision support intervention.</summary>
/// <param name="BibliographicCitation">(1) Bibliographic citation of the intervention.</param>
/// <param name="Developer">(2) Developer of the intervention.</param>
/// <param name="FundingSource">(3) Funding source of the technical implementation.</param>
/// <param name="ReleaseDate">(4) Release date.</param>
/// <param name="RevisionDate">(4) Revision date.</param>
/// <param name="DataUse">(5)–(13) Use of race, ethnicity, language, sexual orientation, gender identity, sex, date of birth, social determinants of health and health status assessments.</param>
public sealed record SourceAttributes(
    string BibliographicCitation, string Developer, string FundingSource, string ReleaseDate, string RevisionDate,
    IReadOnlyDictionary<string, DataElementUse> DataUse);

/// <summary>Whether a USCDI data element is used, and how.</summary>
public sealed record DataElementUse(bool Used, string Note);

public static class AboutEndpoints
{
    /// <summary>The profile fields, with the ranges of the loaded store's profile bounds.</summary>
    private static InputDescription[] Inputs(ProfileBounds bounds) =>
    [
        new("age", true, string.Create(CultureInfo.InvariantCulture, $"Age in whole years, {bounds.Age.Min}–{bounds.Age.Max} (adults only).")),
        new("klGrade", true, string.Create(CultureInfo.InvariantCulture, $"Kellgren-Lawrence grade of the index knee, {bounds.KlGrade.Min}–{bounds.KlGrade.Max}.")),
        new("priorTreatments", true, "Codes from GET /v1/treatments; [] when none."),
        new("bmi", false, string.Create(CultureInfo.InvariantCulture, $"Body-mass index, {bounds.Bmi.Min}–{bounds.Bmi.Max}.")),
        new("conditions", false, "Codes from GET /v1/conditions."),
        new("jurisdiction", false, "ISO 3166-1 alpha-2 country code; defaults to the configured jurisdiction."),
    ];

    public static IEndpointRouteBuilder MapAbout(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/about", GetAbout)
            .WithTags("About")
            .WithName("GetAbout")
            .WithSummary("Service purpose, intended use and source attributes")
            .WithDescription("What DecisionApi is for, whom it is for, the inputs it uses, the loaded rule store (version, release date, content hash) and the ONC HTI-1 §170.315(b)(11)(iv)(A) source attributes.");
        return routes;
    }

    public static Ok<AboutResponse> GetAbout(RuleStoreSnapshot store, RequestLanguage language, TimeProvider clock)
    {
        string Text(string key) => store.Text(key).In(language.Value);
        var dataUse = store.Metadata
            .Where(m => m.Key.StartsWith("hti1.dataUse.", StringComparison.Ordinal))
            .OrderBy(m => m.Key, StringComparer.Ordinal)
            .ToDictionary(m => m.Key["hti1.dataUse.".Length..], m => new DataElementUse(m.Value == "true", Text(m.Key)));
        var counts = store.Statements.GroupBy(s => s.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        counts["source"] = store.Sources.Count;
        counts["rule"] = store.Rules.Count;

        return TypedResults.Ok(new AboutResponse(
            store.Metadata.GetValueOrDefault("service.name", "DecisionApi"),
            Text("service.purpose"),
            Text("service.intendedUsers"),
            Text("service.intendedPopulation"),
            Text("service.clinicalSafety"),
            Inputs(store.Bounds),
            new StoreDescription(
                store.Version, store.ReleasedOn, store.ReviewedOn, store.ContentHash, Vocab.SchemaVersion, counts,
                store.Review(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime))),
            new SourceAttributes(
                Text("hti1.bibliographicCitation"), Text("hti1.developer"), Text("hti1.fundingSource"),
                store.Metadata["hti1.releaseDate"], store.Metadata["hti1.revisionDate"], dataUse)));
    }
}
