using System.Globalization;
using DecisionApi.RuleStore.Content;
using Microsoft.Data.Sqlite;

namespace DecisionApi.RuleStore.Storage;

/// <summary>
/// Reads the store's rows without a mapper: each SELECT of <see cref="StoreSchema"/> maps its columns by position, and a
/// value of another type than the column's (a hand-edited file) is refused with the column named. No code is generated
/// at run time, so reading the store at start-up is cheap.
/// </summary>
internal static class StoreRows
{
    public static List<string> Strings(SqliteConnection connection, string sql) => Read(connection, sql, row => row.Text(0));

    public static long Scalar(SqliteConnection connection, string sql) => Read(connection, sql, row => row.Integer(0)).Single();

    public static StoreContent ReadAll(SqliteConnection connection) => new()
    {
        Metadata = Read(connection, StoreSchema.SelectMetadata, r => new MetadataRow { Key = r.Text(0), Value = r.Text(1) }),
        Texts = Read(connection, StoreSchema.SelectTexts, r => new TextRow { Key = r.Text(0), En = r.Text(1), Zh = r.Text(2) }),
        Sources = Read(connection, StoreSchema.SelectSources, r => new SourceRow
        {
            Id = r.Text(0), Citation = r.Text(1), Year = r.Integer(2), Kind = r.Text(3), Verification = r.Text(4), Pmid = r.TextOrNull(5),
            Doi = r.TextOrNull(6), Url = r.TextOrNull(7), ReviewedOn = r.TextOrNull(8), ReviewDue = r.TextOrNull(9),
        }),
        Vocabulary = Read(connection, StoreSchema.SelectVocabulary, r => new VocabularyRow
        {
            Kind = r.Text(0), Code = r.Text(1), Category = r.TextOrNull(2), LabelEn = r.Text(3), LabelZh = r.Text(4), Ordinal = r.Integer(5),
            ReviewedOn = r.TextOrNull(6),
        }),
        CodeMappings = Read(connection, StoreSchema.SelectCodeMappings, r => new CodeMappingRow
        {
            GroupKind = r.Text(0), GroupKey = r.Text(1), System = r.Text(2), Code = r.Text(3), Display = r.Text(4), Verification = r.Text(5),
            Ordinal = r.Integer(6),
        }),
        Statements = Read(connection, StoreSchema.SelectStatements, r => new StatementRow
        {
            Id = r.Text(0), Kind = r.Text(1), Ordinal = r.Integer(2), TextEn = r.Text(3), TextZh = r.Text(4), ReviewedOn = r.TextOrNull(5),
            Severity = r.TextOrNull(6), Issuer = r.TextOrNull(7), Core = r.Integer(8), Topic = r.TextOrNull(9), Certainty = r.TextOrNull(10),
            Direction = r.TextOrNull(11), Selection = r.TextOrNull(12), KlMin = r.IntegerOrNull(13), KlMax = r.IntegerOrNull(14),
            AgeMin = r.IntegerOrNull(15), AgeMax = r.IntegerOrNull(16), ClaimEn = r.TextOrNull(17), ClaimZh = r.TextOrNull(18),
            Verdict = r.TextOrNull(19), SeedClaim = r.TextOrNull(20), Treatment = r.TextOrNull(21), Strength = r.TextOrNull(22),
            IssuerGrade = r.TextOrNull(23), Category = r.TextOrNull(24), HeadlineEn = r.TextOrNull(25), HeadlineZh = r.TextOrNull(26),
            ReviewDue = r.TextOrNull(27),
        }),
        StatementSources = Read(connection, StoreSchema.SelectStatementSources, r => new StatementSourceRow
        {
            StatementId = r.Text(0), SourceId = r.Text(1), Ordinal = r.Integer(2),
        }),
        Rules = Read(connection, StoreSchema.SelectRules, r => new RuleRow { Id = r.Text(0), Kind = r.Text(1), Ordinal = r.Integer(2), StatementId = r.Text(3) }),
        RuleConditions = Read(connection, StoreSchema.SelectRuleConditions, r => new RuleConditionRow
        {
            RuleId = r.Text(0), Clause = r.Integer(1), Ordinal = r.Integer(2), Field = r.Text(3), Op = r.Text(4), Value = r.RealOrNull(5),
            Min = r.RealOrNull(6), Max = r.RealOrNull(7), Codes = r.TextOrNull(8),
        }),
        Recognition = Read(connection, StoreSchema.SelectRecognition, r => new RecognitionRow
        {
            Kind = r.Text(0), Ordinal = r.Integer(1), Treatment = r.TextOrNull(2), TopicalTreatment = r.TextOrNull(3), System = r.TextOrNull(4),
            Code = r.TextOrNull(5), Term = r.TextOrNull(6), Display = r.TextOrNull(7), SourceId = r.Text(8), Verification = r.Text(9),
        }),
        Effects = Read(connection, StoreSchema.SelectEffects, r => new EffectRow
        {
            StatementId = r.Text(0), Ordinal = r.Integer(1), Outcome = r.Text(2), ComparatorEn = r.Text(3), ComparatorZh = r.Text(4),
            FollowUpEn = r.Text(5), FollowUpZh = r.Text(6), Measure = r.Text(7), Estimate = r.RealOrNull(8), CiLower = r.RealOrNull(9),
            CiUpper = r.RealOrNull(10), ScaleEn = r.Text(11), ScaleZh = r.Text(12), Mid = r.RealOrNull(13), Certainty = r.TextOrNull(14),
            ReadingEn = r.Text(15), ReadingZh = r.Text(16), SourceId = r.TextOrNull(17), Verification = r.Text(18),
        }),
        ProfileBounds = Read(connection, StoreSchema.SelectProfileBounds, r => new ProfileBoundRow
        {
            Field = r.Text(0), Min = r.Real(1), Max = r.Real(2), Step = r.Real(3),
        }),
    };

    private static List<T> Read<T>(SqliteConnection connection, string sql, Func<Row, T> map)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var row = new Row(reader);
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(row));
        }

        return rows;
    }

    /// <summary>The current row, read strictly: text is text, integers are integers, null only where the row allows it.</summary>
    private sealed class Row(SqliteDataReader reader)
    {
        public string Text(int column) => TextOrNull(column) ?? throw Wrong(column, "text", null);

        public string? TextOrNull(int column) => reader.GetValue(column) switch
        {
            DBNull => null,
            string text => text,
            var other => throw Wrong(column, "text", other),
        };

        public long Integer(int column) => IntegerOrNull(column) ?? throw Wrong(column, "an integer", null);

        public long? IntegerOrNull(int column) => reader.GetValue(column) switch
        {
            DBNull => null,
            long number => number,
            var other => throw Wrong(column, "an integer", other),
        };

        public double Real(int column) => RealOrNull(column) ?? throw Wrong(column, "a number", null);

        public double? RealOrNull(int column) => reader.GetValue(column) switch
        {
            DBNull => null,
            double number => number,
            long number => number,
            var other => throw Wrong(column, "a number", other),
        };

        private InvalidCastException Wrong(int column, string expected, object? value) => new(string.Create(
            CultureInfo.InvariantCulture,
            $"column {reader.GetName(column)} holds {(value is null ? "null" : value.GetType().Name)} where {expected} is expected"));
    }
}
