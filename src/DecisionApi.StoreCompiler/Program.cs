using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Storage;
using DecisionApi.StoreCompiler;

// Usage: DecisionApi.StoreCompiler <content-folder> <output.db>
//    or: DecisionApi.StoreCompiler --lint <content-folder>
//    or: DecisionApi.StoreCompiler --diff <old: folder or .db> <new: folder or .db>
if (args is ["--lint", var lintFolder])
{
    return Lint(lintFolder);
}

if (args is ["--diff", var oldStore, var newStore])
{
    try
    {
        Console.Write(StoreDiff.Compare(Open(oldStore), Open(newStore)).Render());
        return 0;
    }
    catch (Exception exception) when (exception is RuleStoreException or InvalidDataException or IOException)
    {
        Report(exception);
        return 1;
    }
}

if (args is not [var folder, var output])
{
    Console.Error.WriteLine("usage: DecisionApi.StoreCompiler <content-folder> <output.db> | --lint <content-folder> | --diff <old> <new> (each a content folder or a compiled .db)");
    return 2;
}

try
{
    var content = ContentCompiler.Compile(folder);
    RuleStoreSnapshot.FromContent(content, folder);
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
    StoreFile.Write(content, output);
    var snapshot = RuleStoreSnapshot.Load(output);
    Console.WriteLine($"rule store {snapshot.Version} written to {Path.GetFullPath(output)} ({snapshot.ContentHash})");
    PrintOverdue(snapshot);
    return 0;
}
catch (Exception exception) when (exception is RuleStoreException or InvalidDataException or IOException)
{
    Report(exception);
    return 1;
}

static int Lint(string folder)
{
    try
    {
        var snapshot = RuleStoreSnapshot.FromContent(ContentCompiler.Compile(folder), folder);
        Console.WriteLine($"lint ok: {snapshot.Statements.Count} statements, {snapshot.Sources.Count} sources, {snapshot.Rules.Count} rules");
        PrintOverdue(snapshot);
        return 0;
    }
    catch (Exception exception) when (exception is RuleStoreException or InvalidDataException or IOException)
    {
        Report(exception);
        return 1;
    }
}

// A content folder is compiled and linted in memory; a file is loaded with the service's checks.
static RuleStoreSnapshot Open(string path) => Directory.Exists(path)
    ? RuleStoreSnapshot.FromContent(ContentCompiler.Compile(path), path)
    : RuleStoreSnapshot.Load(path);

static void Report(Exception exception)
{
    // MSBuild shows lines in this shape as errors in the build output.
    var problems = exception is RuleStoreException { LintProblems.Count: > 0 } store ? store.LintProblems : [exception.Message];
    foreach (var problem in problems)
    {
        Console.Error.WriteLine($"rule-store : error DA0001: {problem}");
    }
}

// Past review-due dates are reported, not failed (the lint fails a release only for what every answer shows).
static void PrintOverdue(RuleStoreSnapshot snapshot)
{
    foreach (var line in StoreLint.Overdue(snapshot, DateOnly.FromDateTime(DateTime.UtcNow)))
    {
        Console.WriteLine("review: " + line);
    }
}
