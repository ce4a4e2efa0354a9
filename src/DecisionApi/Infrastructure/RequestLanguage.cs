using System.Reflection;
using DecisionApi.RuleStore.Content;
using Microsoft.Net.Http.Headers;

namespace DecisionApi.Infrastructure;

/// <summary>
/// The text language chosen from <c>Accept-Language</c>: English by default, Simplified Chinese for zh, zh-CN, zh-SG
/// and zh-Hans. Binding it also sets <c>Content-Language</c> and <c>Vary</c> on the response.
/// </summary>
public sealed record RequestLanguage(Language Value)
{
    public string Tag => Value == Language.Zh ? "zh-Hans" : "en";

    public static ValueTask<RequestLanguage?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var language = new RequestLanguage(Negotiate(context.Request.Headers.AcceptLanguage.ToString()));
        context.Response.Headers.ContentLanguage = language.Tag;
        context.Response.Headers.Append(HeaderNames.Vary, HeaderNames.AcceptLanguage);
        return ValueTask.FromResult<RequestLanguage?>(language);
    }

    public static Language Negotiate(string? acceptLanguage)
    {
        // The headers clients send most often, decided without parsing.
        switch (acceptLanguage)
        {
            case null or "" or "en" or "en-US" or "en-GB" or "*":
                return Language.En;
            case "zh" or "zh-CN" or "zh-Hans":
                return Language.Zh;
        }

        if (string.IsNullOrWhiteSpace(acceptLanguage)
            || !StringWithQualityHeaderValue.TryParseList(acceptLanguage.Split(','), out var ranges))
        {
            return Language.En;
        }

        foreach (var range in ranges.Where(r => r.Quality is not 0).OrderByDescending(r => r.Quality ?? 1))
        {
            var tag = range.Value.ToString().ToLowerInvariant();
            if (tag is "zh" or "zh-cn" or "zh-sg" or "zh-hans" || tag.StartsWith("zh-hans-", StringComparison.Ordinal))
            {
                return Language.Zh;
            }

            if (tag == "en" || tag.StartsWith("en-", StringComparison.Ordinal) || tag == "*")
            {
                return Language.En;
            }
        }

        return Language.En;
    }
}
