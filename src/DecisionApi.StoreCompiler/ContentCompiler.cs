using System.Globalization;
using DecisionApi.RuleStore.Content;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace DecisionApi.StoreCompiler;

/// <summary>Reads the curated YAML folder into the store's rows. Deterministic: file order decides every ordinal.</summary>
public static class ContentCompiler
{
    /// <summary>Statement files in the order their rules are evaluated.</summary>
    private static readonly (string File, string Kind)[] StatementFiles =
    [
        ("assessments.yaml", Vocab.Kinds.Assessment),
        ("assessment-notes.yaml", Vocab.Kinds.AssessmentNote),
        ("caveats.yaml", Vocab.Kinds.Caveat),
        ("evidence.yaml", Vocab.Kinds.Evidence),
        ("safety.yaml", Vocab.Kinds.Safety),
        ("claim-checks.yaml", Vocab.Kinds.ClaimCheck),
        ("options.yaml", Vocab.Kinds.Option),
    ];

    /// <summary>The review interval of a store.yaml that names none.</summary>
    public const int DefaultReviewIntervalMonths = 12;

    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    public static StoreContent Compile(string folder)
    {
        var store = Read<StoreYaml>(folder, "store.yaml");
        if (store.ReviewIntervalMonths == 0)
        {
            store.ReviewIntervalMonths = DefaultReviewIntervalMonths; // content written before review-due dates existed
        }

        var metadata = new List<MetadataRow>
        {
            new() { Key = Vocab.MetadataKeys.SchemaVersion, Value = store.SchemaVersion.ToString(CultureInfo.InvariantCulture) },
            new() { Key = Vocab.MetadataKeys.Version, Value = Required(store.Version, "store.yaml version") },
            new() { Key = Vocab.MetadataKeys.ReleasedOn, Value = Required(store.ReleasedOn, "store.yaml releasedOn") },
            new() { Key = Vocab.MetadataKeys.ReviewedOn, Value = Required(store.ReviewedOn, "store.yaml reviewedOn") },
            new() { Key = Vocab.MetadataKeys.ReviewIntervalMonths, Value = store.ReviewIntervalMonths.ToString(CultureInfo.InvariantCulture) },
        };
        if (store.ReviewIntervalMonths is < 1 or > 60)
        {
            throw new InvalidDataException("store.yaml reviewIntervalMonths must be 1 to 60");
        }

        string? Due(string? own, string? reviewedOn) => own ?? (DateOnly.TryParseExact(reviewedOn, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var reviewed)
            ? reviewed.AddMonths(store.ReviewIntervalMonths).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : null);
        var hosts = Read<List<SourceHostYaml>>(folder, "source-hosts.yaml").Select(h => new SourceHost(
            Required(h.Host, "source-hosts.yaml host").ToLowerInvariant(),
            Required(h.Use, $"source-hosts.yaml use of {h.Host}"),
            h.Kinds)).ToList();
        if (hosts.Any(h => string.IsNullOrWhiteSpace(h.Host)) || hosts.Select(h => h.Host).Distinct(StringComparer.Ordinal).Count() != hosts.Count)
        {
            throw new InvalidDataException("source-hosts.yaml: every host once");
        }

        metadata.Add(new MetadataRow { Key = Vocab.MetadataKeys.SourceHosts, Value = SourceHost.Serialize(hosts) });
        var texts = store.Texts.Select(t => Text(t.Key, t.Value)).ToList();
        AddServiceAndHti1(store, metadata, texts);

        var sources = Read<List<SourceYaml>>(folder, "sources.yaml").Select(s => new SourceRow
        {
            Id = Required(s.Id, "source id"),
            Citation = s.Citation ?? "",
            Year = s.Year,
            Kind = s.Kind ?? "",
            Verification = s.Verification ?? "",
            Pmid = s.Pmid,
            Doi = s.Doi,
            Url = s.Url,
            ReviewedOn = s.ReviewedOn,
            ReviewDue = Due(s.ReviewDue, s.ReviewedOn),
        }).ToList();

        var vocabulary = new List<VocabularyRow>();
        var mappings = new List<CodeMappingRow>();
        foreach (var kind in new[] { "treatment", "condition" })
        {
            var entries = Read<List<VocabularyYaml>>(folder, kind + "s.yaml");
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                var code = Required(entry.Code, $"{kind} code");
                vocabulary.Add(new VocabularyRow
                {
                    Kind = kind, Code = code, Category = entry.Category, LabelEn = entry.Label?.En ?? "", LabelZh = entry.Label?.Zh ?? "",
                    Ordinal = i, ReviewedOn = entry.ReviewedOn,
                });
                mappings.AddRange(entry.FhirCodes.Select((c, j) => Mapping(kind, code, c, j)));
            }
        }

        foreach (var (group, codes) in Read<Dictionary<string, List<CodeYaml>>>(folder, "fhir-codes.yaml"))
        {
            mappings.AddRange(codes.Select((c, j) => Mapping("fhir", group, c, j)));
        }

        var statements = new List<StatementRow>();
        var statementSources = new List<StatementSourceRow>();
        var rules = new List<RuleRow>();
        var conditions = new List<RuleConditionRow>();
        var effects = new List<EffectRow>();
        foreach (var (file, kind) in StatementFiles)
        {
            var items = Read<List<StatementYaml>>(folder, file);
            if (kind == Vocab.Kinds.Assessment)
            {
                items = [.. items.OrderBy(i => i.Order)];
            }

            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                var id = Required(item.Id, $"{file} item {i + 1} id");
                statements.Add(Statement(item, id, kind, i, Due(item.ReviewDue, item.ReviewedOn)));
                statementSources.AddRange(item.Sources.Select((source, j) => new StatementSourceRow { StatementId = id, SourceId = source, Ordinal = j }));
                var ruleId = kind == Vocab.Kinds.Assessment ? id : "select." + id;
                rules.Add(new RuleRow { Id = ruleId, Kind = kind, Ordinal = rules.Count, StatementId = id });
                conditions.AddRange(Conditions(ruleId, item));
                effects.AddRange(item.Effects.Select((e, j) => Effect(id, e, j)));
            }
        }

        var recognition = Recognition(Read<RecognitionYaml>(folder, "recognition.yaml"), texts);

        var content = new StoreContent
        {
            Metadata = metadata,
            Texts = texts,
            Sources = sources,
            Vocabulary = vocabulary,
            CodeMappings = mappings,
            Statements = statements,
            StatementSources = statementSources,
            Rules = rules,
            RuleConditions = conditions,
            Recognition = recognition,
            Effects = effects,
            ProfileBounds = [.. store.ProfileBounds.Select(b => new ProfileBoundRow
            {
                Field = b.Key,
                Min = b.Value.Min ?? throw new InvalidDataException($"store.yaml profileBounds.{b.Key}: min is required"),
                Max = b.Value.Max ?? throw new InvalidDataException($"store.yaml profileBounds.{b.Key}: max is required"),
                Step = b.Value.Step ?? throw new InvalidDataException($"store.yaml profileBounds.{b.Key}: step is required"),
            })],
        };
        metadata.Add(new MetadataRow { Key = Vocab.MetadataKeys.ContentHash, Value = ContentHash.Compute(content) });
        return content.Canonical();
    }

    private static void AddServiceAndHti1(StoreYaml store, List<MetadataRow> metadata, List<TextRow> texts)
    {
        foreach (var (key, value) in store.Service ?? [])
        {
            if (value is string plain)
            {
                metadata.Add(new MetadataRow { Key = "service." + key, Value = plain });
            }
            else
            {
                var localized = Yaml.Deserialize<LocalizedYaml>(new SerializerBuilder().Build().Serialize(value));
                texts.Add(Text("service." + key, localized));
            }
        }

        var hti1 = store.Hti1 ?? throw new InvalidDataException("store.yaml has no hti1 section");
        texts.Add(Text("hti1.bibliographicCitation", hti1.BibliographicCitation));
        texts.Add(Text("hti1.developer", hti1.Developer));
        texts.Add(Text("hti1.fundingSource", hti1.FundingSource));
        metadata.Add(new MetadataRow { Key = "hti1.releaseDate", Value = Required(hti1.ReleaseDate, "hti1 releaseDate") });
        metadata.Add(new MetadataRow { Key = "hti1.revisionDate", Value = Required(hti1.RevisionDate, "hti1 revisionDate") });
        foreach (var (element, use) in hti1.DataUse)
        {
            metadata.Add(new MetadataRow { Key = $"hti1.dataUse.{element}", Value = use.Used ? "true" : "false" });
            texts.Add(Text($"hti1.dataUse.{element}", use.Note));
        }
    }

    private static StatementRow Statement(StatementYaml item, string id, string kind, int ordinal, string? reviewDue)
    {
        var isAssessment = kind == Vocab.Kinds.Assessment;
        var text = isAssessment ? item.Rationale : item.Text;
        return new StatementRow
        {
            Id = id,
            Kind = kind,
            Ordinal = ordinal,
            TextEn = text?.En ?? "",
            TextZh = text?.Zh ?? "",
            ReviewedOn = item.ReviewedOn,
            ReviewDue = reviewDue,
            Severity = item.Severity,
            Issuer = item.Issuer,
            Core = item.Core ? 1 : 0,
            Topic = item.Topic,
            Certainty = item.Certainty,
            Direction = item.Direction,
            Selection = kind == Vocab.Kinds.Evidence ? item.Selection ?? "population" : null,
            KlMin = Bound(item.Population?.KlGrade, 0),
            KlMax = Bound(item.Population?.KlGrade, 1),
            AgeMin = Bound(item.Population?.Age, 0),
            AgeMax = Bound(item.Population?.Age, 1),
            ClaimEn = item.Claim?.En,
            ClaimZh = item.Claim?.Zh,
            Verdict = item.Verdict,
            SeedClaim = item.SeedClaim,
            Treatment = item.Treatment,
            Strength = item.Strength,
            IssuerGrade = item.IssuerGrade,
            Category = item.Category,
            HeadlineEn = item.Headline?.En,
            HeadlineZh = item.Headline?.Zh,
        };
    }

    /// <summary>
    /// Turns <c>when</c> into clauses. Evidence selected by population gets the population ranges added to every clause,
    /// so the stored rule states exactly what the evaluator checks.
    /// </summary>
    private static IEnumerable<RuleConditionRow> Conditions(string ruleId, StatementYaml item)
    {
        List<List<ConditionYaml>> clauses = item.When switch
        {
            { AnyOf: { } anyOf } => anyOf,
            { AllOf: { } allOf } => [allOf],
            _ => [],
        };

        if (item.Population is { } population && (item.Selection ?? "population") == "population" && item.Topic is not null)
        {
            var populationConditions = new List<ConditionYaml>();
            if (population.KlGrade is [var klMin, var klMax])
            {
                populationConditions.Add(new ConditionYaml { Field = Vocab.Fields.KlGrade, Op = Vocab.Ops.Between, Min = klMin, Max = klMax });
            }

            if (population.Age is [var ageMin, var ageMax])
            {
                populationConditions.Add(new ConditionYaml { Field = Vocab.Fields.Age, Op = Vocab.Ops.Between, Min = ageMin, Max = ageMax });
            }

            clauses = clauses.Count == 0 ? [populationConditions] : [.. clauses.Select(c => populationConditions.Concat(c).ToList())];
        }

        for (var clause = 0; clause < clauses.Count; clause++)
        {
            for (var i = 0; i < clauses[clause].Count; i++)
            {
                var condition = clauses[clause][i];
                yield return new RuleConditionRow
                {
                    RuleId = ruleId,
                    Clause = clause,
                    Ordinal = i,
                    Field = condition.Field ?? "",
                    Op = condition.Op ?? "",
                    Value = condition.Value,
                    Min = condition.Min,
                    Max = condition.Max,
                    Codes = condition.Values.Count == 0 ? null : string.Join(',', condition.Values),
                };
            }
        }
    }

    /// <summary>One row per code, prefix or term, numbered in file order within each kind.</summary>
    private static List<RecognitionRow> Recognition(RecognitionYaml yaml, List<TextRow> texts)
    {
        texts.AddRange(yaml.Texts.Select(t => Text(t.Key, t.Value)));
        var rows = new List<RecognitionRow>();
        void Codes(string kind, IEnumerable<RecognitionCodeYaml> entries) => rows.AddRange(entries.Select((e, i) => new RecognitionRow
        {
            Kind = kind, Ordinal = i, Treatment = e.Treatment, TopicalTreatment = e.TopicalTreatment, System = e.System,
            Code = e.Code ?? e.Prefix, Display = e.Display, SourceId = e.Source ?? "", Verification = e.Verification ?? "",
        }));
        void Terms(string kind, IEnumerable<RecognitionTermsYaml> entries) => rows.AddRange(entries
            .SelectMany(e => e.Terms.Select(term => (Entry: e, Term: term)))
            .Select((x, i) => new RecognitionRow
            {
                Kind = kind, Ordinal = i, Treatment = x.Entry.Treatment ?? x.Entry.Condition, TopicalTreatment = x.Entry.TopicalTreatment, Term = x.Term,
                SourceId = x.Entry.Source ?? "", Verification = x.Entry.Verification ?? "",
            }));

        Codes(Vocab.RecognitionKinds.MedicationCode, yaml.MedicationCodes);
        Codes(Vocab.RecognitionKinds.MedicationClass, yaml.MedicationClasses);
        Terms(Vocab.RecognitionKinds.MedicationName, yaml.MedicationNames);
        Terms(Vocab.RecognitionKinds.TopicalForm, yaml.TopicalForms);
        Codes(Vocab.RecognitionKinds.ActivityCode, yaml.ActivityCodes);
        Terms(Vocab.RecognitionKinds.ActivityTerm, yaml.ActivityTerms);
        Terms(Vocab.RecognitionKinds.HistoryTerm, yaml.HistoryTerms);
        Terms(Vocab.RecognitionKinds.HistoryNotDoneCue, yaml.HistoryNotDoneCues);
        Terms(Vocab.RecognitionKinds.ConditionMedicationName, yaml.ConditionMedicationNames);
        return rows;
    }

    private static EffectRow Effect(string statementId, EffectYaml effect, int ordinal) => new()
    {
        StatementId = statementId,
        Ordinal = ordinal,
        Outcome = effect.Outcome ?? "",
        ComparatorEn = effect.Comparator?.En ?? "",
        ComparatorZh = effect.Comparator?.Zh ?? "",
        FollowUpEn = effect.FollowUp?.En ?? "",
        FollowUpZh = effect.FollowUp?.Zh ?? "",
        Measure = effect.Measure ?? "",
        Estimate = effect.Estimate,
        CiLower = effect.Ci is [var lower, _] ? lower : null,
        CiUpper = effect.Ci is [_, var upper] ? upper : null,
        ScaleEn = effect.Scale?.En ?? "",
        ScaleZh = effect.Scale?.Zh ?? "",
        Mid = effect.Mid,
        Certainty = effect.Certainty,
        ReadingEn = effect.Reading?.En ?? "",
        ReadingZh = effect.Reading?.Zh ?? "",
        SourceId = string.IsNullOrWhiteSpace(effect.Source) ? null : effect.Source,
        Verification = effect.Verification ?? "",
    };

    private static CodeMappingRow Mapping(string groupKind, string groupKey, CodeYaml code, int ordinal) => new()
    {
        GroupKind = groupKind,
        GroupKey = groupKey,
        System = code.System ?? "",
        Code = code.Code ?? "",
        Display = code.Display ?? "",
        Verification = code.Verification ?? "",
        Ordinal = ordinal,
    };

    private static long? Bound(List<int>? range, int index) => range is [_, _] ? range[index] : null;

    private static TextRow Text(string key, LocalizedYaml? text) => new() { Key = key, En = text?.En ?? "", Zh = text?.Zh ?? "" };

    private static string Required(string? value, string what) =>
        string.IsNullOrWhiteSpace(value) ? throw new InvalidDataException($"{what} is missing") : value;

    private static T Read<T>(string folder, string file)
    {
        var path = Path.Combine(folder, file);
        try
        {
            return Yaml.Deserialize<T>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{file} is empty");
        }
        catch (YamlDotNet.Core.YamlException exception)
        {
            throw new InvalidDataException($"{file}: {exception.Message} {exception.InnerException?.Message}".Trim(), exception);
        }
    }
}
