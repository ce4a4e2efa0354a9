using System.Globalization;
using System.Text;
using System.Text.Json;
using DecisionApi.Features.CdsHooks;
using FluentAssertions;
using Xunit;

namespace DecisionApi.Tests.Unit;

/// <summary>The allocation-lean chart readers agree with the plain ones they replaced.</summary>
public sealed class FhirReadingTests
{
    public static TheoryData<string> Dates() =>
    [
        "1961", "1961-05", "1961-05-02", "2000-02-29", "1900-02-29", "1961-02-29", "1961-13", "1961-00", "1961-05-00", "1961-04-31",
        "0000", "0001", "9999-12-31", "1961-5-02", "1961-05-2", " 1961", "1961 ", "19610", "196", "1961/05/02", "1961-05-02T10:00:00Z",
        "١٩٦١", "1961-05-0x", "", "abcd", "+961", "-961", "1961--5",
    ];

    [Theory]
    [MemberData(nameof(Dates))]
    public void BirthDatesParseAsDateOnlyParsesTheThreeFhirForms(string text)
    {
        DateOnly? expected = DateOnly.TryParseExact(text, ["yyyy-MM-dd", "yyyy-MM", "yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
            ? parsed
            : null;
        ChartReader.ParseDate(text).Should().Be(expected);
    }

    [Fact]
    public void EveryDayOfFourYearsParsesLikeDateOnly()
    {
        for (var date = new DateOnly(1999, 1, 1); date < new DateOnly(2003, 1, 1); date = date.AddDays(1))
        {
            ChartReader.ParseDate(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Should().Be(date);
        }
    }

    [Theory]
    [InlineData("{\"a\":\"plain\",\"b\":[\"caf\u00e9\",\"\u6e7f\u75b9\"]}", true)]
    [InlineData("{\"escaped\":\"caf\\u00e9 \\ud83d\\ude00 \\\"quoted\\\" \\\\\"}", true)]
    [InlineData("{\"caf\\u00e9\":1}", true)]
    [InlineData("{\"a\":\"\\ud800\"}", false)]
    [InlineData("{\"a\":\"x\\udfffy\"}", false)]
    [InlineData("{\"\\udc00\":1}", false)]
    [InlineData("[[[{\"deep\":[\"\\ud800\"]}]]]", false)]
    public void StringsAreReadableUnlessAnEscapeIsAnUnpairedSurrogate(string json, bool readable)
    {
        using var document = JsonDocument.Parse(json);
        FhirJson.AllStringsReadable(document.RootElement).Should().Be(readable);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC3 })]
    [InlineData(new byte[] { 0xC0, 0xAF })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })]
    public void InvalidUtf8InAValueOrANameIsNotReadable(byte[] bad)
    {
        foreach (var (prefix, suffix) in new[] { ("{\"a\":\"x", "y\"}"), ("{\"x", "y\":1}"), ("[\"", "\"]") })
        {
            var bytes = Encoding.ASCII.GetBytes(prefix).Concat(bad).Concat(Encoding.ASCII.GetBytes(suffix)).ToArray();
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(bytes);
            }
            catch (JsonException)
            {
                continue; // refused by the parser itself: also never read as text
            }

            using (document)
            {
                FhirJson.AllStringsReadable(document.RootElement).Should().BeFalse(Convert.ToHexString(bytes));
            }
        }
    }

    [Fact]
    public void CodingsMatchOnSystemAndCodeTogether()
    {
        var lookup = new CodingLookup([("http://snomed.info/sct", "239873007", "knee-oa"), ("http://example.org", "239873007", "other")]);
        string[] Of(string coding)
        {
            using var document = JsonDocument.Parse(coding);
            return lookup.ValuesOf(document.RootElement.Clone());
        }

        Of("""{"system":"http://snomed.info/sct","code":"239873007"}""").Should().Equal("knee-oa");
        Of("""{"system":"http://example.org","code":"239873007"}""").Should().Equal("other");
        Of("""{"code":"239873007"}""").Should().BeEmpty();
        Of("""{"system":"http://snomed.info/sct|239873007","code":""}""").Should().BeEmpty();
        Of("""{"system":"http://snomed.info/sct","code":239873007}""").Should().BeEmpty();
        Of("""{"system":"http://snomed.info/sct","code":"239873007 "}""").Should().BeEmpty();
        Of("""{"system":"http:\/\/snomed.info\/sct","code":"239873007"}""").Should().Equal("knee-oa");
        Of("""["http://snomed.info/sct","239873007"]""").Should().BeEmpty();
    }
}
