using FluentValidation;

namespace DecisionApi.Infrastructure;

/// <summary>Runs the FluentValidation validator of the endpoint's <typeparamref name="TRequest"/> argument.</summary>
/// The validator is taken from the request's services: it belongs to the rule store serving that request.
public sealed class ValidationFilter<TRequest> : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (FirstOf(context.Arguments) is not { } request)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["body"] = ["A JSON object body is required."] },
                title: "One or more fields are invalid");
        }

        var validator = context.HttpContext.RequestServices.GetRequiredService<IValidator<TRequest>>();
        // The validators have no asynchronous rules: validated synchronously, without a state machine per request.
        var result = validator.Validate(request);
        if (!result.IsValid)
        {
            return TypedResults.ValidationProblem(result.ToDictionary(), title: "One or more fields are invalid");
        }

        return await next(context);
    }

    private static TRequest? FirstOf(IList<object?> arguments)
    {
        foreach (var argument in arguments)
        {
            if (argument is TRequest request)
            {
                return request;
            }
        }

        return default;
    }
}
