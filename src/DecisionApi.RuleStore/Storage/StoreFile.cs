using Dapper;
using DecisionApi.RuleStore.Content;
using Microsoft.Data.Sqlite;

namespace DecisionApi.RuleStore.Storage;

/// <summary>Writes a compiled store and reads one back, read-only.</summary>
public static class StoreFile
{
    /// <summary>Writes <paramref name="content"/> (hash included) to a new file at <paramref name="path"/>.</summary>
    public static void Write(StoreContent content, string path)
    {
        var canonical = content.Canonical();
        var temporary = path + ".tmp";
        File.Delete(temporary);
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temporary, Pooling = false }.ToString()))
        {
            connection.Open();
            connection.Execute("PRAGMA page_size = 4096; PRAGMA journal_mode = DELETE;");
            connection.Execute($"PRAGMA user_version = {Vocab.SchemaVersion};");
            using var transaction = connection.BeginTransaction();
            connection.Execute(StoreSchema.CreateTables, transaction: transaction);
            connection.Execute(StoreSchema.InsertMetadata, canonical.Metadata, transaction);
            connection.Execute(StoreSchema.InsertTexts, canonical.Texts, transaction);
            connection.Execute(StoreSchema.InsertSources, canonical.Sources, transaction);
            connection.Execute(StoreSchema.InsertVocabulary, canonical.Vocabulary, transaction);
            connection.Execute(StoreSchema.InsertCodeMappings, canonical.CodeMappings, transaction);
            connection.Execute(StoreSchema.InsertStatements, canonical.Statements, transaction);
            connection.Execute(StoreSchema.InsertStatementSources, canonical.StatementSources, transaction);
            connection.Execute(StoreSchema.InsertRules, canonical.Rules, transaction);
            connection.Execute(StoreSchema.InsertRuleConditions, canonical.RuleConditions, transaction);
            connection.Execute(StoreSchema.InsertRecognition, canonical.Recognition, transaction);
            connection.Execute(StoreSchema.InsertEffects, canonical.Effects, transaction);
            connection.Execute(StoreSchema.InsertProfileBounds, canonical.ProfileBounds, transaction);
            transaction.Commit();
            connection.Execute("VACUUM;");
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Opens the file read-only and immutable, checks it, and reads every row. Any problem becomes a
    /// <see cref="RuleStoreException"/> naming the path.
    /// </summary>
    public static StoreContent Read(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new RuleStoreException(fullPath, "the file does not exist");
        }

        // A named pipe or device reports length 0 and would block the reader (start-up hung on a FIFO): refused unread.
        if (new FileInfo(fullPath).Length == 0)
        {
            throw new RuleStoreException(fullPath, "the file is empty or not a regular file");
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = new Uri(fullPath).AbsoluteUri + "?immutable=1",
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString();

        try
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            var integrity = StoreRows.Strings(connection, "PRAGMA integrity_check");
            if (integrity is not ["ok"])
            {
                throw new RuleStoreException(fullPath, $"integrity check failed ({string.Join("; ", integrity.Take(3))})");
            }

            var schemaVersion = StoreRows.Scalar(connection, "PRAGMA user_version");
            if (schemaVersion != Vocab.SchemaVersion)
            {
                throw new RuleStoreException(fullPath, $"schema version {schemaVersion} is not supported (this service reads schema version {Vocab.SchemaVersion})");
            }

            return StoreRows.ReadAll(connection);
        }
        catch (SqliteException exception)
        {
            throw new RuleStoreException(fullPath, $"not a readable rule store ({exception.Message})", exception);
        }
        catch (Exception exception) when (exception is InvalidCastException or FormatException or OverflowException or System.Data.DataException or ArgumentException or InvalidOperationException)
        {
            // A column of the wrong type (a hand-edited file) fails the row mapping: one clear line, not a stack trace.
            throw new RuleStoreException(fullPath, $"a table does not have the expected columns or types ({exception.GetType().Name}: {exception.Message})", exception);
        }
    }
}
