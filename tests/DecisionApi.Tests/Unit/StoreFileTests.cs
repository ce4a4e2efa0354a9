using DecisionApi.RuleStore.Storage;
using DecisionApi.Tests.Support;
using FluentAssertions;
using Microsoft.Data.Sqlite;
using Xunit;

namespace DecisionApi.Tests.Unit;

/// <summary>The store is read without a mapper; a value of the wrong type is refused with the column named.</summary>
public sealed class StoreFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("decision-store-read-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Edited(string sql)
    {
        var path = Path.Combine(folder, $"{Guid.NewGuid():N}.db");
        File.Copy(RepositoryPaths.BuiltStore, path);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        return path;
    }

    [Fact]
    public void The_built_store_reads_every_table()
    {
        var content = StoreFile.Read(RepositoryPaths.BuiltStore);
        content.Statements.Should().NotBeEmpty();
        content.Rules.Should().NotBeEmpty();
        content.RuleConditions.Should().Contain(c => c.Min != null || c.Value != null);
        content.Recognition.Should().NotBeEmpty();
        content.Sources.Should().OnlyContain(s => s.Year > 1900);
        content.Metadata.Should().Contain(m => m.Key == "contentHash");
    }

    [Theory]
    [InlineData("UPDATE sources SET year = 'nineteen' WHERE rowid = 1", "column year holds String where an integer is expected")]
    [InlineData("UPDATE statements SET ordinal = 1.5 WHERE rowid = 1", "column ordinal holds Double where an integer is expected")]
    [InlineData("UPDATE rule_conditions SET field = x'00' WHERE rowid = 1", "column field holds Byte[] where text is expected")]
    public void A_value_of_the_wrong_type_is_refused_with_its_column(string edit, string problem)
    {
        var path = Edited(edit);
        var read = () => StoreFile.Read(path);
        read.Should().Throw<RuleStoreException>().Which.Message.Should()
            .Contain(path).And.Contain("does not have the expected columns or types").And.Contain(problem);
    }
}
