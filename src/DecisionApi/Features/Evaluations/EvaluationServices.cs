using DecisionApi.Infrastructure;
using FluentValidation;

namespace DecisionApi.Features.Evaluations;

public static class EvaluationServices
{
    /// <summary>
    /// The evaluation feature's services: the request validator, built from each rule store (<see cref="StoreBound"/>),
    /// and the field catalogue that explains a malformed request body in terms of <see cref="EvaluationRequest"/>.
    /// </summary>
    public static IServiceCollection AddEvaluations(this IServiceCollection services)
    {
        services.AddStoreBound(build => new EvaluationRequestValidator(build.Snapshot));
        services.AddScoped<IValidator<EvaluationRequest>>(sp => sp.GetRequiredService<EvaluationRequestValidator>());
        services.AddSingleton<RequestFieldCatalog>(new RequestFieldCatalog<EvaluationRequest>());
        return services;
    }
}
