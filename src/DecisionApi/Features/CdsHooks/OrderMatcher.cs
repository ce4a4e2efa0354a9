using System.Text.Json;

namespace DecisionApi.Features.CdsHooks;

/// <summary>Finds draft MSC orders: ServiceRequest or MedicationRequest coded with one of the store's MSC-order codes.</summary>
public sealed class OrderMatcher(FhirCodeMap codes)
{
    private static readonly string[] OrderTypes = ["ServiceRequest", "MedicationRequest"];

    /// <param name="draftOrders">The hook's <c>context.draftOrders</c> Bundle.</param>
    /// <param name="selections">For order-select, the <c>context.selections</c> ("ResourceType/id"); null for order-sign.</param>
    public bool HasMscOrder(JsonElement draftOrders, IReadOnlyCollection<string>? selections) => MscOrder(draftOrders, selections) is not null;

    /// <summary>The first draft MSC order, or null.</summary>
    public JsonElement? MscOrder(JsonElement draftOrders, IReadOnlyCollection<string>? selections)
    {
        foreach (var order in FhirJson.Resources(draftOrders))
        {
            if (order.Text("resourceType") is { } type && OrderTypes.Contains(type)
                && (selections is null || selections.Contains($"{type}/{order.Text("id")}"))
                && FhirJson.InForceOrDraft(order)
                && codes.MscOrder.AnyOf(order.Property("code") ?? order.Property("medicationCodeableConcept")))
            {
                return order;
            }
        }

        return null;
    }
}
