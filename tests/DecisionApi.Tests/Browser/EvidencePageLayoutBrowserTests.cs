using DecisionApi.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace DecisionApi.Tests.Browser;

/// <summary>
/// Tracker issue 21, item 4: the evidence page a clinician can use. In a real browser (Debian's chromium) and in both
/// languages: the first 1280x900 screen shows the assessment, both core caveats and the summary-of-findings table; the
/// page with its sections collapsed fits in 3 screens at 1280x900 and 6 on a 390 px phone (the heights are measured,
/// written to the test output and to TestResults/screenshots/page-heights.txt); printed, every section is open and no
/// table is cut across pages; axe-core reports no violations.
/// </summary>
public sealed class EvidencePageLayoutBrowserTests(ITestOutputHelper output)
{
    private const int Width = 1280;
    private const int Height = 900;
    private const int PhoneWidth = 390;
    private const int PhoneHeight = 844;

    [SkippableFact]
    public async Task The_collapsed_page_answers_the_question_on_the_first_screen_and_meets_the_size_targets()
    {
        var chromium = ExternalTools.Chromium;
        Skip.If(chromium.Path is null, chromium.Why);
        var tools = ExternalTools.NodeTools;
        Skip.If(tools.Path is null, tools.Why);
        var axeScript = Path.Combine(tools.Path!, "..", "axe-core", "axe.min.js");
        File.Exists(axeScript).Should().BeTrue("axe-core is installed with the test tools (tests/tools/package.json)");
        Directory.CreateDirectory(HeadlessChromium.ScreenshotFolder);

        await using var service = await RunningService.StartAsync(new Dictionary<string, string> { ["CdsHooks__Authentication__Enabled"] = "false" });
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright, chromium.Path!);
        var report = new List<string>();
        var store = BuiltStore.Snapshot;

        foreach (var lang in new[] { "en", "zh" })
        {
            // BypassCSP only so that axe can be injected; the page's own CSP is checked by EvidencePageBrowserTests.
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = Width, Height = Height }, BypassCSP = true });
            var page = await context.NewPageAsync();
            var response = await page.GotoAsync(new Uri(service.BaseUrl, $"/summary?age=62&kl=3&lang={lang}").ToString());
            response!.Status.Should().Be(200);

            // First screen: the assessment, both core caveats, the summary-of-findings table (its caption and first rows).
            await ShouldBeOnFirstScreen(page, "#headline");
            foreach (var id in new[] { "caveat.acr-af-2019", "caveat.fda-no-approved-product" })
            {
                await ShouldBeOnFirstScreen(page, $"li[id='{id}']");
            }

            var sof = page.Locator("table[id='effects-evidence.sadeghirad-2024']");
            await ShouldBeOnFirstScreen(page, "table[id='effects-evidence.sadeghirad-2024'] caption");
            await ShouldBeOnFirstScreen(page, "table[id='effects-evidence.sadeghirad-2024'] tbody tr:nth-child(2)");
            var table = await sof.InnerTextAsync();
            var reading = store.Statements.Single(s => s.Id == "evidence.sadeghirad-2024").Effects[0].Reading;
            table.Should().Contain(lang == "zh" ? reading.Zh : reading.En).And.Contain("\u22121.16").And.Contain("1.5").And.Contain("⊕⊕⊕◯");
            (await page.Locator("details.section[open]").CountAsync()).Should().Be(0, "everything after the first screen starts collapsed");
            (await page.Locator("table.options").CountAsync()).Should().Be(1, "untried first-line options are one compact table");

            var desktop = await page.EvaluateAsync<int>("() => document.documentElement.scrollHeight");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HeadlessChromium.ScreenshotFolder, $"page-{lang}-1280.png"), FullPage = true });
            var violations = await Axe(page, axeScript);

            await page.SetViewportSizeAsync(PhoneWidth, PhoneHeight);
            var phone = await page.EvaluateAsync<int>("() => document.documentElement.scrollHeight");
            var phoneOverflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HeadlessChromium.ScreenshotFolder, $"page-{lang}-390.png"), FullPage = true });

            // Printed: every section open, no table split across pages.
            await page.SetViewportSizeAsync(Width, Height);
            await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
            var hiddenInPrint = await page.EvaluateAsync<int>(
                "() => [...document.querySelectorAll('details.section')].filter(d => [...d.children].some(c => c.tagName !== 'SUMMARY' && c.getBoundingClientRect().height === 0)).length");
            var tablesThatMaySplit = await page.EvaluateAsync<int>("() => [...document.querySelectorAll('table')].filter(t => getComputedStyle(t).breakInside !== 'avoid').length");
            var printed = await page.EvaluateAsync<int>("() => document.documentElement.scrollHeight");
            var pdf = Path.Combine(HeadlessChromium.ScreenshotFolder, $"page-{lang}.pdf");
            await page.PdfAsync(new PagePdfOptions { Path = pdf, Format = "A4", PrintBackground = false });

            var line = $"{lang}: collapsed {desktop} px at {Width}x{Height} = {desktop / (double)Height:0.00} screens; {phone} px at {PhoneWidth}x{PhoneHeight} = {phone / (double)PhoneHeight:0.00} screens; printed (all open) {printed} px, PDF {new FileInfo(pdf).Length / 1024} KiB; axe violations {violations.Count}";
            report.Add(line);
            output.WriteLine(line);
            foreach (var v in violations)
            {
                output.WriteLine("  axe: " + v);
            }

            violations.Should().BeEmpty($"axe-core finds no accessibility violation ({lang})");
            hiddenInPrint.Should().Be(0, "every collapsed section prints open");
            tablesThatMaySplit.Should().Be(0, "no table is cut across printed pages");
            phoneOverflow.Should().BeLessThanOrEqualTo(0, "nothing is wider than a phone screen (tables scroll inside their own box)");
            desktop.Should().BeLessThanOrEqualTo(3 * Height, $"the collapsed page is at most 3 screens at {Width}x{Height} ({lang})");
            phone.Should().BeLessThanOrEqualTo(6 * PhoneHeight, $"the collapsed page is at most 6 screens on a {PhoneWidth} px phone ({lang})");
            await context.CloseAsync();
        }

        await File.WriteAllLinesAsync(Path.Combine(HeadlessChromium.ScreenshotFolder, "page-heights.txt"), report);
    }

    private static async Task<List<string>> Axe(IPage page, string axeScript)
    {
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = axeScript });
        var json = await page.EvaluateAsync<string>(
            "async () => JSON.stringify((await axe.run(document, { resultTypes: ['violations'] })).violations.map(v => v.id + ': ' + v.help + ' (' + v.nodes.length + ' nodes: ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ') + ')'))");
        return System.Text.Json.JsonSerializer.Deserialize<List<string>>(json) ?? [];
    }

    private static async Task ShouldBeOnFirstScreen(IPage page, string selector)
    {
        var element = page.Locator(selector).First;
        (await element.IsVisibleAsync()).Should().BeTrue($"{selector} is visible");
        var box = await element.BoundingBoxAsync();
        box.Should().NotBeNull();
        (box!.Y + box.Height).Should().BeLessThanOrEqualTo(Height, $"{selector} is within the first {Width}x{Height} screen");
        box.Y.Should().BeGreaterThanOrEqualTo(0);
    }
}
