using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace DecisionApi.Infrastructure;

/// <summary>Writing an error from middleware (authentication, the rate limiter) through the problem details service.</summary>
public static class ProblemResults
{
    /// <summary>Sets <paramref name="status"/> and writes the problem: problem+json on REST, the feature's own format elsewhere.</summary>
    public static Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}

/// <summary>
/// The last problem writer asked: it always writes, as <c>application/problem+json</c>, so an error is never turned into
/// a 500 because the request's <c>Accept</c> (<c>text/html</c>, <c>application/json;q=0</c>) excludes JSON. The framework's
/// writer declines those requests; an error body in the one format the API documents is better than none.
/// </summary>
public sealed class ProblemJsonFallbackWriter(IOptions<ProblemDetailsOptions> problemOptions, IOptions<JsonOptions> json) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        problemOptions.Value.CustomizeProblemDetails?.Invoke(context);
        var type = problem.GetType();
        return new ValueTask(http.Response.WriteAsJsonAsync(problem, json.Value.SerializerOptions.GetTypeInfo(type), "application/problem+json", http.RequestAborted));
    }
}
