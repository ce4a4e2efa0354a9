using System.Globalization;
using System.Text;
using DecisionApi.Features.Evaluations;
using DecisionApi.Features.Summary;
using DecisionApi.RuleStore;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;
using Microsoft.Extensions.Options;

namespace DecisionApi.Features.CdsHooks;

/// <summary>
/// Turns an evaluation into the one CDS Hooks card, read at a glance: a one-sentence summary per assessment category, a
/// short detail (assessment, the two core caveats, untried first-line options, what the chart did not provide, the link
/// to the full evidence summary) and one link to the page. Every sentence comes from the store; no patient identifier is
/// written (the link carries only the de-identified profile).
/// </summary>
public sealed class CardComposer(RuleStoreSnapshot store, IOptions<CdsHooksOptions> options)
{
    public const string OverrideReasonSystem = "urn:decision-api:cds-override-reason";
    public const string CategorySystem = "urn:decision-api:assessment-category";
    private const string OverridePrefix = "cds.overrideReason.";
    private const string UnknownPrefix = "cds.unknown.";
    private const string UncheckedPrefix = "cds.unchecked.";
    private const string SidePrefix = "cds.side.";

    /// <summary>The longest detail a card may have (tracker issue 6: read at a glance in an EHR's card panel).</summary>
    private static readonly Dictionary<Language, int> MaxDetail = new() { [Language.En] = 1500, [Language.Zh] = 900 };

    private readonly Source guideline = store.Rules
        .First(r => r.Kind == Vocab.Kinds.Caveat && r.Statement.Row.Core == 1 && r.Statement.Row.Issuer == "ACR/AF")
        .Statement.Sources[0];

    private readonly HashSet<string> coreCaveats =
        [.. store.Statements.Where(s => s.Row.Kind == Vocab.Kinds.Caveat && s.Row.Core == 1).Select(s => s.Id)];

    // Keys are cds.overrideReason.<position>.<code>: the store decides the order (clinical order), the code follows it.
    private readonly (string Key, string Code)[] overrideReasons =
    [
        .. store.Texts.Keys.Where(k => k.StartsWith(OverridePrefix, StringComparison.Ordinal))
            .Select(k => (Key: k, Tail: k[OverridePrefix.Length..]))
            .Select(k => (k.Key, Position: int.TryParse(k.Tail.Split('.')[0], out var p) ? p : int.MaxValue, Code: k.Tail[(k.Tail.IndexOf('.', StringComparison.Ordinal) + 1)..]))
            .OrderBy(k => k.Position).ThenBy(k => k.Code, StringComparer.Ordinal)
            .Select(k => (k.Key, k.Code)),
    ];

    /// <param name="result">The evaluation of the chart's profile.</param>
    /// <param name="unknowns">What the chart did not provide: a text key and, for keys with {what}, the cds.data.* suffix.</param>
    /// <param name="patientView">Patient-view hook: an info card instead of a warning.</param>
    /// <param name="language">Card language.</param>
    /// <param name="requestBaseUrl">This service's URL as the caller reached it (scheme, host, path base); used for the
    /// link unless <c>CdsHooks:PublicBaseUrl</c> is configured.</param>
    /// <param name="recognised">First-line care the chart documents, named on one line (store wording, never chart text).</param>
    public CdsCard Compose(
        EvaluationResult result, IReadOnlyList<(string Key, string? What)> unknowns, bool patientView, Language language, string requestBaseUrl,
        IReadOnlyList<RecognisedTreatment>? recognised = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(unknowns);
        string T(string key) => store.Text(key).In(language);
        var category = result.Assessment.Category;
        var link = LinkUrl(result.Inputs.Used, language, requestBaseUrl);
        // The page answers only adults (the store's lowest age bound): a younger patient's card links nowhere, and its
        // summary says the service covers adults (issue #20).
        var linked = result.Inputs.Used.Age is not { } age || age >= store.Bounds.Age.Min;
        var separator = T("list.separator");

        var head = new StringBuilder();
        head.Append("**").Append(T("cds.heading.assessment")).Append(":** ").AppendLine(result.Assessment.Headline).AppendLine();
        foreach (var note in result.Assessment.Notes)
        {
            // A note the store words for the card (a safety-aware pointer, issue #20): one line, before the caveats.
            if (store.Texts.TryGetValue("cds.noteLine." + note.Id, out var noteLine))
            {
                head.Append("- ").AppendLine(noteLine.In(language));
            }
        }

        foreach (var caveat in result.Caveats.Where(c => coreCaveats.Contains(c.Id)))
        {
            // One line each: the store's card line for the caveat (the page shows the full sourced text).
            var line = store.Texts.TryGetValue("cds.caveatLine." + caveat.Id, out var cardLine) ? cardLine.In(language) : caveat.Text;
            head.Append("- **").Append(caveat.Issuer).Append(":** ").AppendLine(line);
        }

        var untried = result.ConventionalOptions.Where(o => !o.Tried).Select(o => o.Label).Distinct(StringComparer.Ordinal).ToList();
        if (store.Texts.TryGetValue("cds.detail.noOptions." + category, out var noOptions))
        {
            // A replaced knee: OA options are not this order's question (issue #20).
            head.AppendLine().AppendLine(noOptions.In(language));
        }
        else if (untried.Count > 0)
        {
            head.AppendLine().Append("**").Append(T("cds.detail.untried")).Append(":** ").AppendLine(string.Join(separator, untried));
        }

        var tail = new StringBuilder();
        // Searched and not found (cds.unknown.*) apart from could not be checked (cds.unchecked.*): never one as the other.
        // Facts matched to the ordered knee (cds.side.*): {value} is the fact's value (a KL grade), not a data key.
        foreach (var (heading, prefix) in (ReadOnlySpan<(string, string)>)[("cds.heading.side", SidePrefix), ("cds.heading.unknown", UnknownPrefix), ("cds.heading.unchecked", UncheckedPrefix)])
        {
            var lines = unknowns.Where(u => u.Key.StartsWith(prefix, StringComparison.Ordinal))
                .Select(u => u.What is null ? T(u.Key)
                    : prefix == SidePrefix ? T(u.Key).Replace("{value}", u.What, StringComparison.Ordinal)
                    : T(u.Key).Replace("{what}", T("cds.data." + u.What), StringComparison.Ordinal))
                .Distinct(StringComparer.Ordinal).ToList();
            if (lines.Count > 0)
            {
                tail.AppendLine().Append("**").Append(T(heading)).AppendLine(":**");
                foreach (var line in lines)
                {
                    tail.Append("- ").AppendLine(line);
                }
            }
        }


        var firstLine = (recognised ?? [])
            .Where(r => store.TreatmentsByCode.TryGetValue(r.Treatment, out var t) && t.Category == "first-line").ToList();
        var detail = head + FoundLine(firstLine, language, MaxDetail[language] - head.Length - tail.Length) + tail;

        return new CdsCard(
            Guid.NewGuid().ToString(),
            SummaryOf(result, language),
            patientView ? "info" : "warning",
            detail,
            new CdsSource(T("cds.sourceLabel"), LinkOf(guideline), new CdsCoding(CategorySystem, category, T("category." + category))),
            [.. overrideReasons.Select(r => new CdsCoding(OverrideReasonSystem, r.Code, T(r.Key)))],
            linked ? [new CdsLink(T("cds.linkLabel"), link, "absolute")] : null);
    }

    /// <summary>The override reason codes the card offers (system <see cref="OverrideReasonSystem"/>).</summary>
    public IEnumerable<string> OverrideReasonCodes => overrideReasons.Select(r => r.Code);

    /// <summary>The suggestion that deletes the draft MSC order which triggered the card.</summary>
    public const string RemoveOrder = Vocab.Suggestions.RemoveOrder;

    /// <summary>The prefix of a referral suggestion: <c>referral.{treatment}</c>.</summary>
    public const string ReferralPrefix = Vocab.Suggestions.ReferralPrefix;

    // The store decides which category offers what, in order (CardSuggestion reads the keys; the lint checks them).
    private readonly Dictionary<string, CardSuggestion[]> suggestionsByCategory = Vocab.Categories.ToDictionary(
        c => c,
        c => CardSuggestion.Keys(store).Select(CardSuggestion.Parse).OfType<CardSuggestion>().Where(s => s.Category == c)
            .OrderBy(s => s.Position).ThenBy(s => s.Id, StringComparer.Ordinal).ToArray(),
        StringComparer.Ordinal);

    /// <summary>Every suggestion id the store can offer (feedback's accepted uuids are checked against these).</summary>
    public IReadOnlyList<string> SuggestionIds => [.. suggestionsByCategory.Values.SelectMany(v => v).Select(s => s.Id).Distinct(StringComparer.Ordinal)];

    /// <summary>The verified code a referral to <paramref name="target"/> is coded with, or null (then it is not offered).</summary>
    public CodeMapping? ReferralCode(string target) => CardSuggestion.ReferralCode(store, target);

    /// <summary>
    /// The suggestions an order card in this evaluation's category offers (store order): removal of the order, and a
    /// referral only while its first-line option is not documented and its treatment has a verified SNOMED CT code.
    /// </summary>
    public IReadOnlyList<string> SuggestionPlan(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var untried = result.ConventionalOptions.Where(o => !o.Tried).Select(o => o.Treatment).ToHashSet(StringComparer.Ordinal);
        var tried = result.ConventionalOptions.Where(o => o.Tried).Select(o => o.Treatment).ToHashSet(StringComparer.Ordinal);
        return suggestionsByCategory.TryGetValue(result.Assessment.Category, out var tails)
            ? [.. tails.Where(s => s.Id == RemoveOrder
                || (s.ReferralTarget is { } target && ReferralCode(target) is not null
                    && (!CardSuggestion.IsTreatmentReferral(store, target) || (untried.Contains(target) && !tried.Contains(target)))))
                .Select(s => s.Id)]
            : [];
    }

    /// <summary>
    /// The card's suggestions for a plan (<see cref="SuggestionPlan"/>), each with its derived uuid: removal deletes the
    /// triggering draft order; a referral removes it too and adds a draft ServiceRequest (intent proposal) for the patient.
    /// </summary>
    public IReadOnlyList<CdsSuggestion> Suggestions(
        IReadOnlyList<string> plan, string category, Language language, string orderReference, string patientId, string cardUuid, string storeVersion, SuggestionKeys keys)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(keys);
        if (plan.Count == 0)
        {
            return [];
        }

        string T(string key) => store.Text(key).In(language);
        var tails = suggestionsByCategory[category];
        var remove = new CdsAction("delete", T("cds.suggestionAction." + RemoveOrder), null, orderReference);
        return [.. plan.Select(id =>
        {
            var label = T(tails.First(s => s.Id == id).Key);
            List<CdsAction> actions = [remove];
            if (id.StartsWith(ReferralPrefix, StringComparison.Ordinal))
            {
                var target = id[ReferralPrefix.Length..];
                var code = ReferralCode(target)!;
                var name = CardSuggestion.IsTreatmentReferral(store, target)
                    ? store.TreatmentsByCode[target].Label.In(language)
                    : T(Vocab.Suggestions.ReferralLabelPrefix + target);
                actions.Add(new CdsAction("create", T("cds.suggestionAction." + id), new CdsDraftServiceRequest(
                    "ServiceRequest", "draft", "proposal",
                    new CdsCodeableConcept([new CdsCoding(code.System, code.Code, code.Display)], name),
                    new CdsReference("Patient/" + patientId)), null));
            }

            return new CdsSuggestion(label, keys.Uuid(cardUuid, id, storeVersion), null, actions);
        })];
    }

    /// <summary>The longest card summary (CDS Hooks: fewer than 140 characters).</summary>
    public const int MaxSummary = 139;

    /// <summary>
    /// The card's one sentence, naming the reason the category holds. A store text
    /// <c>cds.summary.{category}.{clause}</c> for the first branch that holds is the sentence itself; otherwise
    /// <c>cds.summary.{category}</c>, whose <c>{reason}</c> is the branches that hold, in two groups: those not
    /// documented (<c>cds.reason.missing</c>) and those that could not be checked (<c>cds.reason.unchecked</c>), each
    /// branch worded by <c>cds.reason.{category}.{clause}</c> (or <c>….unchecked</c>). When that is too long, each
    /// branch's <c>….short</c> wording, then the category's <c>….short</c> sentence, are tried in turn.
    /// </summary>
    public string SummaryOf(EvaluationResult result, Language language)
    {
        ArgumentNullException.ThrowIfNull(result);
        string T(string key) => store.Text(key).In(language);
        string Fill(string template) => Evaluator.FillProfile(template, result.Inputs.Used.Age, result.Inputs.Used.KlGrade, result.Inputs.Used.Bmi);
        var category = result.Assessment.Category;
        var branches = result.Assessment.Branches;
        if (branches.Count > 0 && store.Texts.TryGetValue($"cds.summary.{category}.{branches[0].TrimEnd('u')}", out var own))
        {
            return Fill(own.In(language));
        }

        var template = T("cds.summary." + category);
        if (!template.Contains("{reason}", StringComparison.Ordinal) || branches.Count == 0)
        {
            return template;
        }

        string? Text(string key) => store.Texts.TryGetValue(key, out var text) ? text.In(language) : null;
        string Item(string branch, bool shortForm)
        {
            var notChecked = branch.EndsWith('u');
            var key = $"cds.reason.{category}.{branch.TrimEnd('u')}" + (notChecked ? ".unchecked" : "");
            return Fill((shortForm ? Text(key + ".short") : null) ?? Text(key) ?? "");
        }

        string Items(List<string> items, string lastKey) =>
            items.Count == 1 ? items[0] : string.Join(T("list.separator"), items.Take(items.Count - 1)) + T(lastKey) + items[^1];

        string Reason(bool shortForm)
        {
            var groups = new List<string>(2);
            var missing = branches.Where(b => !b.EndsWith('u')).Select(b => Item(b, shortForm)).ToList();
            var notChecked = branches.Where(b => b.EndsWith('u')).Select(b => Item(b, shortForm)).ToList();
            if (missing.Count > 0)
            {
                groups.Add(T("cds.reason.missing").Replace("{items}", Items(missing, "cds.reason.or"), StringComparison.Ordinal));
            }

            if (notChecked.Count > 0)
            {
                groups.Add(T("cds.reason.unchecked").Replace("{items}", Items(notChecked, "cds.reason.and"), StringComparison.Ordinal));
            }

            var reason = string.Join(T("cds.reason.groupJoin"), groups);
            return reason.Length > 0 ? char.ToUpperInvariant(reason[0]) + reason[1..] : reason;
        }

        var sentence = "";
        foreach (var (shortItems, sentenceKey) in (ReadOnlySpan<(bool, string)>)[(false, ""), (true, ""), (true, ".short")])
        {
            sentence = (Text($"cds.summary.{category}{sentenceKey}") ?? template).Replace("{reason}", Reason(shortItems), StringComparison.Ordinal);
            if (sentence.Length <= MaxSummary)
            {
                break;
            }
        }

        return sentence;
    }

    /// <summary>
    /// First-line care found in the chart, by name only, on one line within the room left (how each was recognised is
    /// not card text: issue #20); if too long, as many as fit and "and N more".
    /// </summary>
    private string FoundLine(List<RecognisedTreatment> found, Language language, int room)
    {
        if (found.Count == 0)
        {
            return "";
        }

        string T(string key) => store.Text(key).In(language);
        var prefix = Environment.NewLine + "**" + T("cds.heading.recognised") + ":** ";
        string Line(IEnumerable<string> items) => prefix + string.Join(T("list.separator"), items) + Environment.NewLine;

        var labels = found.Select(r => store.TreatmentsByCode[r.Treatment].Label.In(language)).Distinct(StringComparer.Ordinal).ToList();
        for (var shown = labels.Count; shown > 0; shown--)
        {
            var more = labels.Count - shown;
            var line = Line(more == 0 ? labels : [.. labels.Take(shown), T("cds.recognisedMore").Replace("{n}", more.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)]);
            if (line.Length <= room)
            {
                return line;
            }
        }

        return Line([T("cds.recognisedMore").Replace("{n}", labels.Count.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)]);
    }

    /// <summary>The page (or the configured portal) for this profile, with the de-identified query.</summary>
    private string LinkUrl(UsedInputs used, Language language, string requestBaseUrl)
    {
        var settings = options.Value;
        if (!string.IsNullOrWhiteSpace(settings.PortalUrl))
        {
            var portal = settings.PortalUrl.Trim();
            return portal + (portal.Contains('?', StringComparison.Ordinal) ? "&" : "?") + SummaryLink.Query(used, language);
        }

        var baseUrl = string.IsNullOrWhiteSpace(settings.PublicBaseUrl) ? requestBaseUrl : settings.PublicBaseUrl.Trim();
        return SummaryLink.Absolute(baseUrl, used, language);
    }

    private static string? LinkOf(Source source) =>
        source.Doi is { } doi ? "https://doi.org/" + doi
        : source.Url ?? (source.Pmid is { } pmid ? $"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" : null);
}
