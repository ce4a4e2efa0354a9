using DecisionApi.Tests.Support;
using Microsoft.Playwright;

namespace DecisionApi.Tests.Browser;

/// <summary>Debian's chromium, headless, as every browser test launches it; screenshots go under TestResults/screenshots.</summary>
public static class HeadlessChromium
{
    private static readonly string[] Args =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    public static string ScreenshotFolder => Path.Combine(RepositoryPaths.Root, "TestResults", "screenshots");

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright, string executablePath)
    {
        ArgumentNullException.ThrowIfNull(playwright);
        Directory.CreateDirectory(ScreenshotFolder);
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executablePath,
            Args = Args,
            Headless = true,
            Timeout = 120_000,
        });
    }
}
