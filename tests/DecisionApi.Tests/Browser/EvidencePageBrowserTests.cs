using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DecisionApi.RuleStore.Content;
using DecisionApi.Tests.CdsHooks;
using DecisionApi.Tests.Support;
using Microsoft.Playwright;

namespace DecisionApi.Tests.Browser;

/// <summary>
/// A real browser (Debian's chromium driven by Playwright) against the service as a real process: the card an EHR shows,
/// its link, and what a clinician sees on the first screen of the evidence page, in English and Chinese. Screenshots
/// are saved under TestResults/screenshots. Skipped, with the reason, when chromium cannot be installed.
/// </summary>
public sealed partial class EvidencePageBrowserTests
{
    private const int Width = 1280;
    private const int Height = 800;

    private static string ScreenshotFolder => HeadlessChromium.ScreenshotFolder;

    [SkippableFact]
    public async Task A_clinician_opens_the_card_link_and_sees_the_assessment_and_both_caveats_on_the_first_screen()
    {
        var chromium = ExternalTools.Chromium;
        Skip.If(chromium.Path is null, chromium.Why);
        Directory.CreateDirectory(ScreenshotFolder);

        // The card's link is built on CdsHooks:PublicBaseUrl (never on Host): the service listens where that URL says.
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var address = $"http://127.0.0.1:{port}";
        await using var service = await RunningService.StartAsync(
            new Dictionary<string, string>
            {
                ["CdsHooks__Authentication__Enabled"] = "false",
                ["CdsHooks__PublicBaseUrl"] = address,
            },
            urls: address);
        using var http = new HttpClient { BaseAddress = service.BaseUrl };
        var order = CdsFixtures.OrderSign(CdsFixtures.Prefetch(kl: 3), CdsFixtures.MscOrder());
        using var response = await http.PostAsync("/cds-services/msc-knee-oa", HttpAssertions.Json(order.ToJsonString()));
        response.StatusCode.Should().Be(HttpStatusCode.OK, service.Output);
        using var cards = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var card = cards.RootElement.GetProperty("cards")[0];
        var link = card.GetProperty("links")[0].GetProperty("url").GetString()!;
        link.Should().StartWith(service.BaseUrl.ToString().TrimEnd('/') + "/summary?");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright, chromium.Path!);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = Width, Height = Height } });
        var page = await context.NewPageAsync();
        var cspViolations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                cspViolations.Add(message.Text);
            }
        };

        // The card as an EHR shows it: summary, detail, and the link as a button; the clinician clicks the link.
        await page.SetContentAsync(EhrMock(card));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, "card-en.png"), FullPage = true });
        var opened = page.WaitForResponseAsync(r => r.Url == link);
        await page.ClickAsync("a.card-link");
        (await opened).Status.Should().Be(200);
        await page.WaitForLoadStateAsync(LoadState.Load);
        page.Url.Should().Be(link);

        var store = BuiltStore.Snapshot;
        var assessment = store.Statements.Single(s => s.Id == "assessment.investigational-only");
        (await page.Locator("html").GetAttributeAsync("lang")).Should().Be("en");
        (await page.Locator("#headline").InnerTextAsync()).Should().Be(assessment.Headline.En);
        await ShouldBeOnFirstScreen(page, "#headline");
        foreach (var id in new[] { "caveat.acr-af-2019", "caveat.fda-no-approved-product" })
        {
            var caveat = page.Locator($"li[id='{id}']");
            (await caveat.InnerTextAsync()).Should().Contain(store.Statements.Single(s => s.Id == id).Text.En);
            await ShouldBeOnFirstScreen(page, $"li[id='{id}']");
        }

        var background = await page.Locator("section.caveats").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        background.Should().NotBe("rgba(0, 0, 0, 0)", "the stylesheet served by the service is applied under the strict CSP");
        (await page.Locator("details#trace").GetAttributeAsync("open")).Should().BeNull("the rule trace is collapsed");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, "summary-en.png") });

        // Switch to Chinese: same profile, same assessment, both caveats still on the first screen.
        await page.ClickAsync("nav.language a");
        await page.WaitForURLAsync(url => url.Contains("lang=zh", StringComparison.Ordinal));
        await page.WaitForLoadStateAsync(LoadState.Load);
        (await page.Locator("html").GetAttributeAsync("lang")).Should().Be("zh-Hans");
        page.Url.Should().Contain("lang=zh").And.Contain("kl=3");
        (await page.Locator("#headline").InnerTextAsync()).Should().Be(assessment.Headline.Zh);
        await ShouldBeOnFirstScreen(page, "#headline");
        foreach (var id in new[] { "caveat.acr-af-2019", "caveat.fda-no-approved-product" })
        {
            (await page.Locator($"li[id='{id}']").InnerTextAsync()).Should().Contain(store.Statements.Single(s => s.Id == id).Text.Zh);
            await ShouldBeOnFirstScreen(page, $"li[id='{id}']");
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, "summary-zh.png") });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, "summary-zh-full.png"), FullPage = true });

        // On a phone: nothing wider than the screen.
        await page.SetViewportSizeAsync(390, 844);
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        overflow.Should().BeLessThanOrEqualTo(0, "the page is readable on a phone without sideways scrolling");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, "summary-zh-phone.png") });

        cspViolations.Should().BeEmpty("everything the page needs is served by the service");
    }

    private static async Task ShouldBeOnFirstScreen(IPage page, string selector)
    {
        var element = page.Locator(selector);
        (await element.IsVisibleAsync()).Should().BeTrue($"{selector} is visible");
        var box = await element.BoundingBoxAsync();
        box.Should().NotBeNull();
        (box!.Y + box.Height).Should().BeLessThanOrEqualTo(Height, $"{selector} is within the first {Width}x{Height} screen");
        box.Y.Should().BeGreaterThanOrEqualTo(0);
    }

    /// <summary>A simple EHR-like frame that renders a CDS card the way EHRs do: summary, Markdown detail, source, link buttons, override reasons.</summary>
    private static string EhrMock(JsonElement card)
    {
        string E(string? text) => WebUtility.HtmlEncode(text ?? "");
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>EHR order sign</title><style>")
            .Append("body{font-family:'Noto Sans','Noto Sans CJK SC',sans-serif;background:#e9edf1;margin:0;padding:16px;color:#1a1a1a}")
            .Append(".ehr{max-width:720px;margin:auto;background:#fff;border:1px solid #9aa5b1}.bar{background:#2f4858;color:#fff;padding:8px 12px;font-weight:600}")
            .Append(".card{margin:12px;border-left:6px solid #e69500;background:#fffaf0;padding:8px 14px}.card.info{border-color:#1f6fb2;background:#f2f7fc}")
            .Append(".summary{font-weight:700;font-size:16px}.detail{font-size:14px;line-height:1.45}.source{font-size:12px;color:#4a4a4a}")
            .Append(".card-link{display:inline-block;margin:6px 0;padding:6px 12px;background:#1f6fb2;color:#fff;text-decoration:none;border-radius:3px}")
            .Append("select{font-size:13px}</style></head><body><div class=\"ehr\"><div class=\"bar\">Order sign: MSC knee injection (CPT 0566T)</div>");
        html.Append("<div class=\"card ").Append(E(card.GetProperty("indicator").GetString())).Append("\">");
        html.Append("<p class=\"summary\">").Append(E(card.GetProperty("summary").GetString())).Append("</p>");
        html.Append("<div class=\"detail\">").Append(Markdown(card.GetProperty("detail").GetString()!)).Append("</div>");
        var source = card.GetProperty("source");
        html.Append("<p class=\"source\">Source: ").Append(E(source.GetProperty("label").GetString()))
            .Append(" · topic: ").Append(E(source.GetProperty("topic").GetProperty("display").GetString())).Append("</p>");
        foreach (var link in card.GetProperty("links").EnumerateArray())
        {
            html.Append("<a class=\"card-link\" href=\"").Append(E(link.GetProperty("url").GetString())).Append("\">")
                .Append(E(link.GetProperty("label").GetString())).Append("</a> ");
        }

        html.Append("<p><label>Override reason <select>");
        foreach (var reason in card.GetProperty("overrideReasons").EnumerateArray())
        {
            html.Append("<option>").Append(E(reason.GetProperty("display").GetString())).Append("</option>");
        }

        html.Append("</select></label> <button>Dismiss</button></p></div></div></body></html>");
        return html.ToString();
    }

    /// <summary>The Markdown the card uses: paragraphs, "- " lists, **bold**, *italic*, [text](url).</summary>
    private static string Markdown(string markdown)
    {
        var html = new StringBuilder();
        foreach (var block in markdown.Split("\n\n"))
        {
            var lines = block.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var items = lines.Where(l => l.StartsWith("- ", StringComparison.Ordinal)).ToList();
            var text = lines.Where(l => !l.StartsWith("- ", StringComparison.Ordinal)).ToList();
            if (text.Count > 0)
            {
                html.Append("<p>").Append(string.Join("<br>", text.Select(Inline))).Append("</p>");
            }

            if (items.Count > 0)
            {
                html.Append("<ul>").Append(string.Concat(items.Select(i => "<li>" + Inline(i[2..]) + "</li>"))).Append("</ul>");
            }
        }

        return html.ToString();
    }

    private static string Inline(string text)
    {
        var encoded = WebUtility.HtmlEncode(text);
        encoded = Link().Replace(encoded, "<a href=\"$2\">$1</a>");
        encoded = Bold().Replace(encoded, "<strong>$1</strong>");
        return Italic().Replace(encoded, "<em>$1</em>");
    }

    [GeneratedRegex(@"\[([^\]]+)\]\(([^)]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"\*\*(.+?)\*\*")]
    private static partial Regex Bold();

    [GeneratedRegex(@"\*(.+?)\*")]
    private static partial Regex Italic();
}
