using System.Text.Json;

namespace DecisionApi.Features.CdsHooks;

/// <summary>Finds draft MSC orders: ServiceRequest or MedicationRequest coded with one of the store's MSC-order codes.</summary>
public sealed class OrderMatcher(FhirCodeMap codes)
{
    private static readonly string[] OrderTypes = ["ServiceRequest", "MedicationRequest"];

    /// <param name="draftOrders">The hook's <c>context.draftOrders</c> Bundle.</param>
    /// <param name="selections">For order-select, the <c>context.selections</c> ("ResourceType/id"); null for order-sign.</param>
    public bool HasMscOrder(JsonElement draftOrders, IReadOnlyCollection<string>? selections) =>
        FhirJson.Resources(draftOrders).Any(order =>
            order.Text("resourceType") is { } type && OrderTypes.Contains(type)
            && (selections is null || selections.Contains($"{type}/{order.Text("id")}"))
            && FhirJson.InForceOrDraft(order)
            && FhirJson.CodingKeys(order.Property("code") ?? order.Property("medicationCodeableConcept")).Any(codes.MscOrder.Contains));
}
