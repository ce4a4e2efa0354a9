using DecisionApi.Tests.Support;
using Microsoft.Playwright;

namespace DecisionApi.Tests.Browser;

/// <summary>
/// Swagger UI in a real browser (Debian's chromium driven by Playwright) against the service as a real process: "Try it
/// out" with the documented examples for POST /v1/evaluations and the CDS Hooks call, asserting the rendered responses.
/// Screenshots are saved under TestResults/screenshots. Skipped, with the reason, when chromium cannot be installed.
/// </summary>
public sealed class SwaggerUiBrowserTests
{
    private static string ScreenshotFolder => HeadlessChromium.ScreenshotFolder;

    [SkippableFact]
    public async Task Swagger_ui_tries_the_evaluation_and_the_cds_hooks_call_with_their_examples()
    {
        var chromium = ExternalTools.Chromium;
        Skip.If(chromium.Path is null, chromium.Why);
        Directory.CreateDirectory(ScreenshotFolder);

        // Keys on (Production default), with one portal key: the evaluation works only after Authorize.
        const string portalKey = "swagger-ui-test-key-4f2a";
        var keyHash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(portalKey))).ToLowerInvariant();
        await using var service = await RunningService.StartAsync(new Dictionary<string, string>
        {
            ["CdsHooks__Authentication__Enabled"] = "false",
            ["ApiKeys__Keys__0__Name"] = "swagger-ui",
            ["ApiKeys__Keys__0__Sha256"] = keyHash,
        });
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright, chromium.Path!);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(new Uri(service.BaseUrl, "/swagger/index.html").ToString());
        await page.Locator(".information-container .title").WaitForAsync();
        (await page.Locator(".information-container .title").InnerTextAsync()).Should().Contain("DecisionApi");
        (await page.Locator("button.authorize").CountAsync()).Should().Be(1, "the security schemes make Swagger UI offer Authorize");

        // POST /v1/evaluations with its first example (typical-kl3): 401 without a key, 200 after Authorize.
        var evaluate = page.Locator(".opblock-post:has([data-path='/v1/evaluations'])");
        var refused = await TryItOut(page, evaluate, "evaluate-without-key");
        refused.Status.Should().Be("401");
        refused.Body.Should().Contain("X-Api-Key");

        await page.Locator("button.authorize").First.ClickAsync();
        var dialog = page.Locator(".modal-ux");
        await dialog.Locator("input").First.FillAsync(portalKey);
        await dialog.Locator("button.authorize").First.ClickAsync();
        await dialog.Locator("button.btn-done, button.close-modal").First.ClickAsync();

        var evaluation = await Execute(page, evaluate, "evaluate");
        evaluation.Status.Should().Be("200");
        evaluation.Body.Should().Contain("\"category\": \"investigational-only\"").And.Contain("\"issuer\": \"ACR/AF\"").And.Contain("\"issuer\": \"FDA\"");

        // The CDS Hooks call, with the default service id and the order-sign example: one warning card.
        var call = page.Locator(".opblock-post:has([data-path='/cds-services/{id}'])");
        var card = await TryItOut(page, call, "cds-hooks-call");
        card.Status.Should().Be("200");
        card.Body.Should().Contain("\"cards\"").And.Contain("\"indicator\": \"warning\"").And.Contain("/summary?");
        (await call.Locator(".request-url").InnerTextAsync()).Should().Contain("/cds-services/msc-knee-oa-order-sign");
    }

    private static async Task<(string Status, string Body)> TryItOut(IPage page, ILocator operation, string name)
    {
        await operation.Locator(".opblock-summary").First.ClickAsync();
        await operation.Locator("button.try-out__btn").ClickAsync();
        return await Execute(page, operation, name);
    }

    /// <summary>Executes the operation whose "Try it out" is open, and reads the newest response.</summary>
    private static async Task<(string Status, string Body)> Execute(IPage page, ILocator operation, string name)
    {
        if (await operation.Locator("button.btn-clear").CountAsync() > 0)
        {
            await operation.Locator("button.btn-clear").First.ClickAsync();
        }

        await operation.Locator("button.execute").ClickAsync();
        var live = operation.Locator(".live-responses-table .response").First;
        await live.WaitForAsync();
        var status = (await live.Locator(".response-col_status").InnerTextAsync()).Trim();
        var body = await live.Locator(".response-col_description .microlight").First.InnerTextAsync();
        await operation.ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"swagger-{name}.png") });
        await live.ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"swagger-{name}-response.png") });
        return (status, body);
    }
}
