using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DecisionApi.Infrastructure;

/// <summary>
/// Explains System.Text.Json failures in terms of the request's fields. Built once at start-up from the request type the
/// REST feature names (<see cref="RequestFieldCatalog{TRequest}"/>).
/// </summary>
public sealed class RequestFieldCatalog<TRequest>() : RequestFieldCatalog(typeof(TRequest));

public partial class RequestFieldCatalog
{
    private readonly Dictionary<string, string> expectedTypeByField;
    private readonly string allowedFields;

    public RequestFieldCatalog(Type requestType)
    {
        ArgumentNullException.ThrowIfNull(requestType);
        var properties = requestType.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        expectedTypeByField = properties.ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), p => Describe(p.PropertyType), StringComparer.OrdinalIgnoreCase);
        allowedFields = string.Join(", ", expectedTypeByField.Keys);
    }

    public (string Field, string Message) Describe(JsonException exception)
    {
        var unmapped = UnmappedProperty().Match(exception.Message);
        if (unmapped.Success)
        {
            var name = Safe(unmapped.Groups["name"].Value);
            return (name, $"'{name}' is not a field of this request. Allowed fields: {allowedFields}.");
        }

        if (exception.Path == "$" && exception.Message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return ("body", "The body must be a JSON object with the fields: " + allowedFields + ".");
        }

        var path = exception.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? Safe(p[2..]) : null;
        if (path is not null && exception.Message.Contains("could not be converted", StringComparison.Ordinal))
        {
            var root = path.Split('[', '.')[0];
            var expected = expectedTypeByField.GetValueOrDefault(root, "a different type");
            return (path, path.Contains('[', StringComparison.Ordinal)
                ? $"'{path}' must be a string code."
                : $"'{path}' must be {expected}.");
        }

        if (exception.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) && path is not null)
        {
            return (path, $"'{path}' appears more than once.");
        }

        var position = exception.LineNumber is { } line
            ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, position {exception.BytePositionInLine + 1})")
            : "";
        return ("body", $"The body is not valid JSON{position}.");
    }

    /// <summary>A field name or path from the input, quoted back only when it looks like one (letters, digits and
    /// <c>_ - . [ ]</c>, at most 60 characters); otherwise a placeholder, so no markup or control character is echoed.</summary>
    private static string Safe(string name) =>
        name.Length is > 0 and <= 60 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '[' or ']') ? name : "(unnamed field)";

    private static string Describe(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(int))
        {
            return "a whole number";
        }

        if (underlying == typeof(double))
        {
            return "a number";
        }

        if (underlying == typeof(string))
        {
            return "a string";
        }

        return "an array of string codes";
    }

    [GeneratedRegex("The JSON property '(?<name>[^']+)' could not be mapped")]
    private static partial Regex UnmappedProperty();
}
