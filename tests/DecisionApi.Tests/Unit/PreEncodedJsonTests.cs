using System.Text.Json;
using DecisionApi.Infrastructure;
using DecisionApi.RuleStore.Content;
using DecisionApi.RuleStore.Evaluation;
using DecisionApi.Tests.Support;
using FluentAssertions;
using Xunit;

namespace DecisionApi.Tests.Unit;

/// <summary>The pre-encoded writing of shared objects and the direct trace writer must give exactly the bytes of plain System.Text.Json.</summary>
public sealed class PreEncodedJsonTests
{
    private static readonly JsonSerializerOptions Service = ApiJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    private static readonly JsonSerializerOptions Plain = Without(Service);

    private static JsonSerializerOptions Without(JsonSerializerOptions options)
    {
        var plain = new JsonSerializerOptions(options);
        plain.Converters.Remove(plain.Converters.OfType<PreEncodedConverterFactory>().Single());
        plain.Converters.Remove(plain.Converters.OfType<TraceConverter>().Single());
        plain.Converters.Remove(plain.Converters.OfType<EvidenceItemConverter>().Single());
        return plain;
    }

    private static readonly string?[] Jurisdictions = [null, "US", "IN", "KR"];

    public static TheoryData<Language> Languages => [Language.En, Language.Zh];

    [Theory]
    [MemberData(nameof(Languages))]
    public void Every_profile_class_is_written_byte_for_byte_as_plain_json(Language language)
    {
        var store = BuiltStore.Snapshot;
        var treatments = store.Treatments.Select(t => t.Code).ToArray();
        var conditions = store.Conditions.Select(c => c.Code).ToArray();
        var random = new Random(20261123);
        var compared = 0;
        foreach (var age in (int?[])[null, 18, 45, 62, 80, 120])
        {
            foreach (var kl in (int?[])[null, 0, 1, 2, 3, 4])
            {
                for (var draw = 0; draw < 4; draw++)
                {
                    var profile = new PatientProfile(
                        age, kl, [.. treatments.Where(_ => random.Next(3) == 0)], draw == 0 ? null : 20 + (random.NextDouble() * 20),
                        draw < 2 ? null : (string[])[.. conditions.Where(_ => random.Next(8) == 0)], Jurisdictions[draw]);
                    var result = BuiltStore.Evaluator.Evaluate(profile, language);

                    // Twice through the service options: the first write encodes, the second copies.
                    var first = JsonSerializer.SerializeToUtf8Bytes(result, Service);
                    var second = JsonSerializer.SerializeToUtf8Bytes(result, Service);
                    var plain = JsonSerializer.SerializeToUtf8Bytes(result, Plain);
                    first.Should().Equal(plain);
                    second.Should().Equal(plain);
                    compared++;
                }
            }
        }

        compared.Should().Be(144);
    }

    [Fact]
    public void Shared_items_are_the_same_instances_across_answers()
    {
        var profile = new PatientProfile(62, 3, ["exercise-therapy"], 28.5, null, "US");
        var one = BuiltStore.Evaluator.Evaluate(profile, Language.En);
        var two = BuiltStore.Evaluator.Evaluate(profile with { Age = 70 }, Language.En);
        one.Caveats.Should().NotBeEmpty();
        one.Caveats[0].Should().BeSameAs(two.Caveats[0]);
        one.ConventionalOptions.Should().Contain(o => o.Tried).And.Contain(o => !o.Tried);
        BuiltStore.Evaluator.Evaluate(profile, Language.Zh).Caveats[0].Should().NotBeSameAs(one.Caveats[0]);
    }

    [Fact]
    public void Without_the_trace_an_evaluation_is_the_same_but_for_the_trace()
    {
        foreach (var profile in (PatientProfile[])[new(62, 3, ["exercise-therapy"], 28.5, null, "US"), new(30, 1, [], null, ["pregnancy-or-lactation"], "IN"), new(null, null, [], null, null, null)])
        {
            var full = BuiltStore.Evaluator.Evaluate(profile, Language.En);
            var lean = BuiltStore.Evaluator.Evaluate(profile, Language.En, withTrace: false);
            full.Trace.Should().NotBeEmpty();
            lean.Trace.Should().BeEmpty();
            JsonSerializer.Serialize(lean with { Trace = full.Trace }, Plain).Should().Be(JsonSerializer.Serialize(full, Plain));
        }
    }
    [Fact]
    public void A_trace_copied_with_an_entry_changed_is_written_with_its_own_values()
    {
        var result = BuiltStore.Evaluator.Evaluate(new PatientProfile(62, 3, ["exercise-therapy"], 28.5, null, "US"), Language.En);
        result.Trace.Should().BeOfType<EvaluationTrace>();
        var entry = result.Trace.First(e => e.Conditions.Count > 0);
        var renamed = entry with { RuleId = "renamed", Conditions = [entry.Conditions[0] with { Expected = "other" }] };
        var copy = result with { Trace = [.. result.Trace.Select(e => ReferenceEquals(e, entry) ? renamed : e)] };
        var written = JsonSerializer.Serialize(copy, Service);
        written.Should().Be(JsonSerializer.Serialize(copy, Plain)).And.Contain("\"renamed\"").And.Contain("\"other\"");
        written.Should().NotBe(JsonSerializer.Serialize(result, Service));
        renamed.Should().NotBe(entry);
        (entry with { Conditions = [.. entry.Conditions] }).Should().Be(entry, "equality is what the entry says");
    }

    [Fact]
    public void The_trace_reads_as_entries_that_round_trip()
    {
        var profile = new PatientProfile(58, 2, ["oral-nsaid", "exercise-therapy"], 33, ["anticoagulant-therapy"], "KR");
        var result = BuiltStore.Evaluator.Evaluate(profile, Language.Zh);
        var trace = result.Trace;
        trace[3].Should().BeSameAs(trace[3], "an entry is made once, when first read");
        trace.Should().Equal(BuiltStore.Evaluator.Evaluate(profile, Language.Zh).Trace, "the same profile gives the same trace");
        FluentActions.Invoking(() => trace[trace.Count]).Should().Throw<ArgumentOutOfRangeException>();

        // The rules evaluated: the assessment rules up to the one that matched (the rest are never evaluated, so the
        // trace does not list them), then every other rule, each in store order.
        var rules = BuiltStore.Snapshot.Rules;
        var assessments = rules.Where(r => r.Kind == Vocab.Kinds.Assessment).Select(r => r.Id).ToList();
        var evaluated = assessments.Take(assessments.IndexOf(result.Assessment.RuleId) + 1).ToList();
        evaluated.Count.Should().BeLessThan(assessments.Count, "this profile's assessment is not the last one, so the test can tell");
        trace.Select(e => e.RuleId).Should().Equal([.. evaluated, .. rules.Where(r => r.Kind != Vocab.Kinds.Assessment).Select(r => r.Id)]);
        trace.Take(evaluated.Count).Select(e => e.Matched).Should().Equal([.. evaluated.Skip(1).Select(_ => false), true]);

        var json = JsonSerializer.Serialize(result, Service);
        var read = JsonSerializer.Deserialize<EvaluationResult>(json, Service)!;
        read.Trace.Should().Equal(trace);
        JsonSerializer.Serialize(read, Service).Should().Be(json, "a trace read back is written piece by piece to the same bytes");
    }

    [Fact]
    public void An_evidence_item_copied_with_other_values_is_written_with_its_own_values()
    {
        var result = BuiltStore.Evaluator.Evaluate(new PatientProfile(62, 3, ["exercise-therapy"], 28.5, null, "US"), Language.En);
        var item = result.Evidence.First(e => e.Sources.Count > 0);
        item.MatchesTemplate().Should().BeTrue("the evaluator's items are copies of their rule's template");
        var changed = item with { Text = "other text", Certainty = "other" };
        changed.MatchesTemplate().Should().BeFalse();
        var copy = result with { Evidence = [.. result.Evidence.Select(e => ReferenceEquals(e, item) ? changed : e)] };
        JsonSerializer.Serialize(copy, Service).Should().Be(JsonSerializer.Serialize(copy, Plain)).And.Contain("\"other text\"").And.Contain("\"other\"");
        changed.Should().NotBe(item);
        (item with { Template = null }).Should().Be(item, "equality is what the item says");
    }

    [Fact]
    public void An_applicability_text_is_escaped_as_the_writer_escapes_it()
    {
        var result = BuiltStore.Evaluator.Evaluate(new PatientProfile(62, 3, ["exercise-therapy"], 28.5, null, "US"), Language.En);
        var item = result.Evidence[0];
        foreach (var text in (string?[])["a+b<c>&d'e`f\"g\\h\n\u007f\u0085\u2028 KL 2–3 中文 😀", "", null])
        {
            var copy = result with { Evidence = [item with { Applicability = text! }] };
            JsonSerializer.Serialize(copy, Service).Should().Be(JsonSerializer.Serialize(copy, Plain));
        }
    }

    private static readonly JsonSerializerOptions SnakeService = new(Service) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly JsonSerializerOptions SnakePlain = new(Plain) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    [Fact]
    public void A_copy_of_the_options_that_names_members_otherwise_is_followed()
    {
        var result = BuiltStore.Evaluator.Evaluate(new PatientProfile(62, 3, ["exercise-therapy"], 28.5, null, "US"), Language.En);
        JsonSerializer.Serialize(result.Evidence, Service).Should().Contain("\"ruleId\"");
        JsonSerializer.Serialize(result.Evidence, SnakeService).Should().Be(JsonSerializer.Serialize(result.Evidence, SnakePlain)).And.Contain("\"rule_id\"");
        JsonSerializer.Serialize(result.Evidence, Service).Should().Be(JsonSerializer.Serialize(result.Evidence, Plain));
    }

    [Fact]
    public void Every_store_text_fills_as_one_replace_after_another_would()
    {
        var values = new (string Name, object Value)[]
        {
            ("min", 2), ("max", 3), ("klGrade", 4), ("age", 61), ("population", "KL 2–3, ages 40–70"), ("profile", "KL 4, age 61"),
            ("jurisdiction", "US"), ("codes", "a, b"), ("conditions", "x"), ("what", "BMI"), ("url", "https://x/y?a=1"), ("n", 5),
            ("label", "L"), ("code", "C"), ("term", "T"), ("field", "F"),
        };
        var filled = 0;
        foreach (var text in BuiltStore.Snapshot.Texts.Values.SelectMany(t => (string[])[t.En, t.Zh]).Where(t => t.Contains('{', StringComparison.Ordinal)))
        {
            var replaced = values.Aggregate(text, (current, v) => current.Replace("{" + v.Name + "}", Convert.ToString(v.Value, System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            TextTemplate.Fill(text, values).Should().Be(replaced, text);
            filled++;
        }

        filled.Should().BeGreaterThan(20);
    }

    [Theory]
    [MemberData(nameof(WriterSettings))]
    public void A_whole_answer_follows_the_writers_own_settings(string settings)
    {
        var result = BuiltStore.Evaluator.Evaluate(new PatientProfile(47, 2, ["oral-nsaid"], 27, [], "KR"), Language.Zh);
        var options = settings == "indented"
            ? new JsonWriterOptions { Indented = true }
            : new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        Write(result.Evidence, Service, options).Should().Be(Write(result.Evidence, Plain, options));
        Write(result.Trace, Service, options).Should().Be(Write(result.Trace, Plain, options));
    }

    public static TheoryData<string> WriterSettings => ["indented", "relaxed encoder"];

    [Theory]
    [MemberData(nameof(WriterSettings))]
    public void The_trace_follows_the_writers_own_settings(string settings)
    {
        var result = BuiltStore.Evaluator.Evaluate(new PatientProfile(70, 4, ["exercise-therapy", "oral-nsaid"], 31, ["anticoagulant-therapy"], "US"), Language.Zh);
        var options = settings == "indented"
            ? new JsonWriterOptions { Indented = true }
            : new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        Write(result.Trace, Service, options).Should().Be(Write(result.Trace, Plain, options));
    }

    private static string Write<T>(T value, JsonSerializerOptions serializer, JsonWriterOptions writerOptions)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, writerOptions))
        {
            JsonSerializer.Serialize(writer, value, serializer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
