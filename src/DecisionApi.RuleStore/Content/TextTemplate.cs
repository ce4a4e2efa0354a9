using System.Globalization;
using System.Runtime.CompilerServices;

namespace DecisionApi.RuleStore.Content;

/// <summary>Fills a curated text's <c>{name}</c> placeholders in one pass.</summary>
public static class TextTemplate
{
    /// <summary>
    /// The template with each <c>{name}</c> that has a value replaced by it (invariant culture); any other brace is kept
    /// as written. One pass, one string: a value is never searched for placeholders itself.
    /// </summary>
    public static string Fill(string template, params ReadOnlySpan<(string Name, object Value)> values)
    {
        ArgumentNullException.ThrowIfNull(template);
        var text = template.AsSpan();
        var output = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[256]);
        while (true)
        {
            var open = text.IndexOf('{');
            var close = open < 0 ? -1 : text[open..].IndexOf('}');
            if (close < 0)
            {
                output.AppendFormatted(text);
                return output.ToStringAndClear();
            }

            output.AppendFormatted(text[..open]);
            var name = text.Slice(open + 1, close - 1);
            var found = false;
            foreach (var (key, value) in values)
            {
                if (name.SequenceEqual(key))
                {
                    output.AppendFormatted(value);
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                // Not a placeholder with a value: keep the brace and look again after it.
                output.AppendFormatted(text.Slice(open, 1));
                text = text[(open + 1)..];
                continue;
            }

            text = text[(open + close + 1)..];
        }
    }
}
