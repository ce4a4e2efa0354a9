using DecisionApi.RuleStore;

namespace DecisionApi.Infrastructure;

/// <summary>How a feature builds one of its parts from a rule store snapshot (registered with <see cref="StoreBound.AddStoreBound{T}"/>).</summary>
public sealed record StoreBoundFactory(Type Type, Func<StoreBuild, object> Create);

/// <summary>
/// What a <see cref="StoreBoundFactory"/> is given: the snapshot, the application's services, and the parts already built
/// for this snapshot (in registration order, so a part may use the ones registered before it).
/// </summary>
public sealed class StoreBuild(RuleStoreSnapshot snapshot, IServiceProvider services, IReadOnlyDictionary<Type, object> parts)
{
    public RuleStoreSnapshot Snapshot { get; } = snapshot;

    public IServiceProvider Services { get; } = services;

    public T Get<T>()
        where T : class => parts.TryGetValue(typeof(T), out var part) ? (T)part
            : throw new InvalidOperationException($"{typeof(T).Name} is not built for this store (register it before the parts that use it).");
}

/// <summary>
/// Generic per-store registration: each feature registers the parts it builds from the rule store
/// (<c>services.AddStoreBound(build =&gt; new ChartReader(...))</c>); <see cref="RuleStoreEngine"/> builds all of them for
/// every snapshot, and a request resolves each from the engine it took when its scope started. Infrastructure knows no
/// feature's types.
/// </summary>
public static class StoreBound
{
    public static IServiceCollection AddStoreBound<T>(this IServiceCollection services, Func<StoreBuild, T> create)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(create);
        services.AddSingleton(new StoreBoundFactory(typeof(T), build => create(build)));
        services.AddScoped(sp => sp.GetRequiredService<RuleStoreEngine>().Get<T>());
        return services;
    }
}
