using FluentValidation;

namespace DecisionApi.Infrastructure;

/// <summary>Runs the FluentValidation validator of the endpoint's <typeparamref name="TRequest"/> argument.</summary>
/// The validator is taken from the request's services: it belongs to the rule store serving that request.
public sealed class ValidationFilter<TRequest> : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.Arguments.OfType<TRequest>().FirstOrDefault() is not { } request)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["body"] = ["A JSON object body is required."] },
                title: "One or more fields are invalid");
        }

        var validator = context.HttpContext.RequestServices.GetRequiredService<IValidator<TRequest>>();
        var result = await validator.ValidateAsync(request, context.HttpContext.RequestAborted);
        if (!result.IsValid)
        {
            return TypedResults.ValidationProblem(result.ToDictionary(), title: "One or more fields are invalid");
        }

        return await next(context);
    }
}
