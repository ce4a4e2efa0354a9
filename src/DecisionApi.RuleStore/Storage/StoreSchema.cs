namespace DecisionApi.RuleStore.Storage;

internal static class StoreSchema
{
    public const string CreateTables = """
        CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE texts (key TEXT PRIMARY KEY, en TEXT NOT NULL, zh TEXT NOT NULL);
        CREATE TABLE sources (
            id TEXT PRIMARY KEY, citation TEXT NOT NULL, year INTEGER NOT NULL, kind TEXT NOT NULL,
            verification TEXT NOT NULL, pmid TEXT, doi TEXT, url TEXT, reviewed_on TEXT, review_due TEXT);
        CREATE TABLE vocabulary (
            kind TEXT NOT NULL, code TEXT NOT NULL, category TEXT, label_en TEXT NOT NULL, label_zh TEXT NOT NULL,
            ordinal INTEGER NOT NULL, reviewed_on TEXT, PRIMARY KEY (kind, code));
        CREATE TABLE code_mappings (
            group_kind TEXT NOT NULL, group_key TEXT NOT NULL, system TEXT NOT NULL, code TEXT NOT NULL,
            display TEXT NOT NULL, verification TEXT NOT NULL, ordinal INTEGER NOT NULL,
            PRIMARY KEY (group_kind, group_key, system, code));
        CREATE TABLE statements (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, ordinal INTEGER NOT NULL, text_en TEXT NOT NULL, text_zh TEXT NOT NULL,
            reviewed_on TEXT, severity TEXT, issuer TEXT, core INTEGER NOT NULL DEFAULT 0,
            topic TEXT, certainty TEXT, direction TEXT, selection TEXT, kl_min INTEGER, kl_max INTEGER, age_min INTEGER, age_max INTEGER,
            claim_en TEXT, claim_zh TEXT, verdict TEXT, seed_claim TEXT,
            treatment TEXT, strength TEXT, issuer_grade TEXT,
            category TEXT, headline_en TEXT, headline_zh TEXT, review_due TEXT);
        CREATE TABLE statement_sources (
            statement_id TEXT NOT NULL REFERENCES statements(id), source_id TEXT NOT NULL REFERENCES sources(id),
            ordinal INTEGER NOT NULL, PRIMARY KEY (statement_id, source_id));
        CREATE TABLE rules (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, ordinal INTEGER NOT NULL UNIQUE,
            statement_id TEXT NOT NULL REFERENCES statements(id));
        CREATE TABLE rule_conditions (
            rule_id TEXT NOT NULL REFERENCES rules(id), clause INTEGER NOT NULL, ordinal INTEGER NOT NULL,
            field TEXT NOT NULL, op TEXT NOT NULL, value REAL, min REAL, max REAL, codes TEXT,
            PRIMARY KEY (rule_id, clause, ordinal));
        CREATE TABLE recognition (
            kind TEXT NOT NULL, ordinal INTEGER NOT NULL, treatment TEXT, topical_treatment TEXT, system TEXT, code TEXT,
            term TEXT, display TEXT, source_id TEXT NOT NULL REFERENCES sources(id), verification TEXT NOT NULL,
            PRIMARY KEY (kind, ordinal));
        CREATE TABLE effects (
            statement_id TEXT NOT NULL REFERENCES statements(id), ordinal INTEGER NOT NULL, outcome TEXT NOT NULL,
            comparator_en TEXT NOT NULL, comparator_zh TEXT NOT NULL, follow_up_en TEXT NOT NULL, follow_up_zh TEXT NOT NULL,
            measure TEXT NOT NULL, estimate REAL, ci_lower REAL, ci_upper REAL, scale_en TEXT NOT NULL, scale_zh TEXT NOT NULL,
            mid REAL, certainty TEXT, reading_en TEXT NOT NULL, reading_zh TEXT NOT NULL, source_id TEXT, verification TEXT NOT NULL,
            PRIMARY KEY (statement_id, ordinal));
        CREATE TABLE profile_bounds (field TEXT PRIMARY KEY, min REAL NOT NULL, max REAL NOT NULL, step REAL NOT NULL);
        """;

    public const string SelectMetadata = "SELECT key, value FROM metadata";
    public const string SelectTexts = "SELECT key, en, zh FROM texts";
    public const string SelectSources = "SELECT id, citation, year, kind, verification, pmid, doi, url, reviewed_on, review_due FROM sources";
    public const string SelectVocabulary = "SELECT kind, code, category, label_en, label_zh, ordinal, reviewed_on FROM vocabulary";
    public const string SelectCodeMappings = "SELECT group_kind, group_key, system, code, display, verification, ordinal FROM code_mappings";
    public const string SelectStatements = """
        SELECT id, kind, ordinal, text_en, text_zh, reviewed_on, severity, issuer, core, topic, certainty, direction, selection,
               kl_min, kl_max, age_min, age_max, claim_en, claim_zh, verdict, seed_claim, treatment, strength, issuer_grade,
               category, headline_en, headline_zh, review_due
        FROM statements
        """;
    public const string SelectStatementSources = "SELECT statement_id, source_id, ordinal FROM statement_sources";
    public const string SelectRules = "SELECT id, kind, ordinal, statement_id FROM rules";
    public const string SelectRuleConditions = "SELECT rule_id, clause, ordinal, field, op, value, min, max, codes FROM rule_conditions";
    public const string SelectRecognition = "SELECT kind, ordinal, treatment, topical_treatment, system, code, term, display, source_id, verification FROM recognition";

    public const string SelectEffects = """
        SELECT statement_id, ordinal, outcome, comparator_en, comparator_zh, follow_up_en, follow_up_zh, measure, estimate, ci_lower,
               ci_upper, scale_en, scale_zh, mid, certainty, reading_en, reading_zh, source_id, verification
        FROM effects
        """;

    public const string SelectProfileBounds = "SELECT field, min, max, step FROM profile_bounds";

    public const string InsertMetadata = "INSERT INTO metadata (key, value) VALUES (@Key, @Value)";
    public const string InsertTexts = "INSERT INTO texts (key, en, zh) VALUES (@Key, @En, @Zh)";
    public const string InsertSources = """
        INSERT INTO sources (id, citation, year, kind, verification, pmid, doi, url, reviewed_on, review_due)
        VALUES (@Id, @Citation, @Year, @Kind, @Verification, @Pmid, @Doi, @Url, @ReviewedOn, @ReviewDue)
        """;
    public const string InsertVocabulary = """
        INSERT INTO vocabulary (kind, code, category, label_en, label_zh, ordinal, reviewed_on)
        VALUES (@Kind, @Code, @Category, @LabelEn, @LabelZh, @Ordinal, @ReviewedOn)
        """;
    public const string InsertCodeMappings = """
        INSERT INTO code_mappings (group_kind, group_key, system, code, display, verification, ordinal)
        VALUES (@GroupKind, @GroupKey, @System, @Code, @Display, @Verification, @Ordinal)
        """;
    public const string InsertStatements = """
        INSERT INTO statements (id, kind, ordinal, text_en, text_zh, reviewed_on, severity, issuer, core, topic, certainty, direction,
                                selection, kl_min, kl_max, age_min, age_max, claim_en, claim_zh, verdict, seed_claim, treatment,
                                strength, issuer_grade, category, headline_en, headline_zh, review_due)
        VALUES (@Id, @Kind, @Ordinal, @TextEn, @TextZh, @ReviewedOn, @Severity, @Issuer, @Core, @Topic, @Certainty, @Direction,
                @Selection, @KlMin, @KlMax, @AgeMin, @AgeMax, @ClaimEn, @ClaimZh, @Verdict, @SeedClaim, @Treatment,
                @Strength, @IssuerGrade, @Category, @HeadlineEn, @HeadlineZh, @ReviewDue)
        """;
    public const string InsertStatementSources = "INSERT INTO statement_sources (statement_id, source_id, ordinal) VALUES (@StatementId, @SourceId, @Ordinal)";
    public const string InsertRules = "INSERT INTO rules (id, kind, ordinal, statement_id) VALUES (@Id, @Kind, @Ordinal, @StatementId)";
    public const string InsertRuleConditions = """
        INSERT INTO rule_conditions (rule_id, clause, ordinal, field, op, value, min, max, codes)
        VALUES (@RuleId, @Clause, @Ordinal, @Field, @Op, @Value, @Min, @Max, @Codes)
        """;
    public const string InsertRecognition = """
        INSERT INTO recognition (kind, ordinal, treatment, topical_treatment, system, code, term, display, source_id, verification)
        VALUES (@Kind, @Ordinal, @Treatment, @TopicalTreatment, @System, @Code, @Term, @Display, @SourceId, @Verification)
        """;

    public const string InsertEffects = """
        INSERT INTO effects (statement_id, ordinal, outcome, comparator_en, comparator_zh, follow_up_en, follow_up_zh, measure, estimate,
                             ci_lower, ci_upper, scale_en, scale_zh, mid, certainty, reading_en, reading_zh, source_id, verification)
        VALUES (@StatementId, @Ordinal, @Outcome, @ComparatorEn, @ComparatorZh, @FollowUpEn, @FollowUpZh, @Measure, @Estimate,
                @CiLower, @CiUpper, @ScaleEn, @ScaleZh, @Mid, @Certainty, @ReadingEn, @ReadingZh, @SourceId, @Verification)
        """;

    public const string InsertProfileBounds = "INSERT INTO profile_bounds (field, min, max, step) VALUES (@Field, @Min, @Max, @Step)";
}
