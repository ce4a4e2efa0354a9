namespace DecisionApi.Features.CdsHooks;

/// <summary><c>CdsHooks:*</c> settings.</summary>
public sealed class CdsHooksOptions
{
    public const string SectionName = "CdsHooks";

    /// <summary>
    /// The service id prefix: discovery offers one id per hook, <c>{ServiceId}-order-select</c>, <c>{ServiceId}-order-sign</c>
    /// and (when enabled) <c>{ServiceId}-patient-view</c>. The bare <c>{ServiceId}</c> stays an unlisted alias for the enabled order
    /// hooks, so integrations registered before ids per hook keep working.
    /// </summary>
    public string ServiceId { get; set; } = "msc-knee-oa";

    /// <summary>The service id discovery lists for a hook.</summary>
    public string IdFor(string hook) => ServiceId + "-" + hook;

    /// <summary>The order hooks this service can answer.</summary>
    public static readonly IReadOnlyList<string> OrderHooks = ["order-select", "order-sign"];

    /// <summary>
    /// The order hooks this site answers (<c>CdsHooks:Hooks</c>, a site setting): unset, both. A site that enables both
    /// order-select and order-sign in its EHR sees the same warning twice for one order, so it may list one only; discovery
    /// then lists only that hook, and a call for the other is refused like an unknown service. Patient-view has its own
    /// switch (<see cref="PatientView"/>).
    /// </summary>
    public string[]? Hooks { get; set; }

    /// <summary>The enabled order hooks, in the specification's order (order-select, then order-sign).</summary>
    public IReadOnlyList<string> EnabledOrderHooks =>
        Hooks is { Length: > 0 } listed ? [.. OrderHooks.Where(h => listed.Contains(h, StringComparer.Ordinal))] : OrderHooks;

    /// <summary>The hooks a service id answers; empty for an unknown id or a hook this site has not enabled.</summary>
    public IReadOnlyList<string> HooksFor(string id)
    {
        if (id == ServiceId)
        {
            return EnabledOrderHooks;
        }

        foreach (var hook in EnabledOrderHooks)
        {
            if (id == IdFor(hook))
            {
                return [hook];
            }
        }

        return id == IdFor("patient-view") && PatientView.Enabled ? ["patient-view"] : [];
    }

    public PatientViewOptions PatientView { get; set; } = new();

    /// <summary>
    /// The key of the suggestion uuids (<see cref="SuggestionKeys"/>), at least 32 characters; a secret. Unset (or
    /// shorter): a random key per process, so accepted feedback is checked only by the instance that issued the card,
    /// and only until it restarts. Set the same key on every instance.
    /// </summary>
    public string? SuggestionKey { get; set; }

    /// <summary>
    /// What is wrong with the base URLs, for the one start-up line; null when they are usable. Outside Development
    /// <see cref="PublicBaseUrl"/> is required, so neither a JWT audience nor a card link ever comes from a request's
    /// <c>Host</c>; each configured URL must be an absolute http(s) URL without query or fragment.
    /// </summary>
    public string? Problem(bool development)
    {
        if (string.IsNullOrWhiteSpace(PublicBaseUrl) && !development)
        {
            return "CdsHooks:PublicBaseUrl is required outside Development (the externally visible base URL, e.g. https://cds.example.org): JWT audiences and card links are never taken from a request's Host header.";
        }

        if (Hooks is { Length: > 0 } hooks && hooks.FirstOrDefault(h => !OrderHooks.Contains(h, StringComparer.Ordinal)) is { } unknown)
        {
            return $"CdsHooks:Hooks lists '{unknown}': only order-select and order-sign can be listed (patient-view has CdsHooks:PatientView:Enabled).";
        }

        foreach (var (name, value) in new[] { ("PublicBaseUrl", PublicBaseUrl), ("PortalUrl", PortalUrl) })
        {
            if (!string.IsNullOrWhiteSpace(value)
                && !(Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0))
            {
                return $"CdsHooks:{name} must be an absolute http(s) URL without query, fragment or user info.";
            }
        }

        return null;
    }

    /// <summary>
    /// Externally visible base URL of this service (scheme, host, optional path base, no trailing slash), e.g.
    /// https://cds.example.org. JWT audiences are checked against it and the card's link is built on it (unless
    /// <see cref="PortalUrl"/>). Required outside Development (the service refuses to start without it); only in
    /// Development does an unset value fall back to the request's own URL (its <c>Host</c> header).
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>When set, the card links to the full summary at this portal URL.</summary>
    public string? PortalUrl { get; set; }

    /// <summary>Card language (en or zh). Unset: from Accept-Language, English by default.</summary>
    public string? Language { get; set; }

    /// <summary>FHIR server base URLs this service may call to complete a prefetch. Any other fhirServer is never called.</summary>
    public IList<string> FhirServerAllowlist { get; } = [];

    /// <summary>Time-out for each FHIR request, in seconds.</summary>
    public double FhirTimeoutSeconds { get; set; } = 3;

    /// <summary>One deadline for all FHIR fetches of one CDS call (run in parallel, next pages included), in seconds.</summary>
    public double FhirDeadlineSeconds { get; set; } = 3;

    /// <summary>Largest FHIR response read for one fetch, in bytes; a larger one counts as not retrieved.</summary>
    public long FhirMaxResponseBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Largest total of FHIR responses read for one CDS call, in bytes.</summary>
    public long FhirMaxTotalBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Largest CDS Hooks request body, in bytes.</summary>
    public long BodyLimitBytes { get; set; } = 1024 * 1024;

    public CdsAuthenticationOptions Authentication { get; set; } = new();

    /// <summary>The EHRs (JWT issuers) this service trusts.</summary>
    public IList<CdsClientOptions> Clients { get; } = [];

    /// <summary>Browser origins allowed by CORS (e.g. the CDS Hooks sandbox in development).</summary>
    public IList<string> AllowedOrigins { get; } = [];
}

public sealed class PatientViewOptions
{
    public bool Enabled { get; set; }
}

public sealed class CdsAuthenticationOptions
{
    /// <summary>Require a signed JWT on every CDS Hooks call. Unset: on everywhere except the Development environment.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Tolerance for exp / iat / nbf, in seconds.</summary>
    public int ClockSkewSeconds { get; set; } = 60;

    /// <summary>
    /// Longest token lifetime accepted, in seconds: <c>exp - iat</c>, and <c>exp</c> ahead of now (plus the skew), may be no
    /// more. The CDS Hooks specification asks for short-lived tokens; 5 minutes by default.
    /// </summary>
    public int MaxLifetimeSeconds { get; set; } = 300;
}

/// <summary>One trusted CDS client (EHR).</summary>
public sealed class CdsClientOptions
{
    /// <summary>The JWT <c>iss</c> this client uses.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>Path of a JWK Set file holding the client's public keys.</summary>
    public string? JwksPath { get; set; }

    /// <summary>URL of the client's JWK Set; fetched only from this exact URL and cached.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>When not empty, the JWT <c>tenant</c> claim must be one of these.</summary>
    public IList<string> Tenants { get; } = [];
}
