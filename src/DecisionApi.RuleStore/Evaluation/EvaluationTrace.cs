using System.Collections;

namespace DecisionApi.RuleStore.Evaluation;

/// <summary>
/// The trace of one evaluation: for every rule evaluated — the assessment rules up to the one that matched, then every
/// other rule, each in store order — whether it matched and whether each of its conditions held, kept as bits, plus the
/// profile's actual value of each field (one string per field per answer).
/// A <see cref="TraceEntry"/> is made only when it is read, so an answer that is written straight to JSON (see
/// <see cref="Shape"/>, <see cref="Matched"/>, <see cref="Holds"/>, <see cref="Actual"/>) allocates a few hundred bytes
/// for its trace instead of one object per rule and per condition. Immutable once the evaluator returns it.
/// </summary>
public sealed class EvaluationTrace : IReadOnlyList<TraceEntry>
{
    private readonly CompiledRule[] rules;
    private readonly int[] order;
    private readonly ulong[] bits;
    private readonly string?[] actuals;
    private TraceEntry?[]? entries;

    /// <param name="rules">The store's rules, compiled.</param>
    /// <param name="order">The rules this trace lists (store indexes, in the trace's order).</param>
    /// <param name="bits">Each rule's bits at its <see cref="CompiledRule.TraceBit"/>.</param>
    /// <param name="actuals">The profile's value of each field, by <see cref="FieldKind"/>.</param>
    internal EvaluationTrace(CompiledRule[] rules, int[] order, ulong[] bits, string?[] actuals)
    {
        this.rules = rules;
        this.order = order;
        this.bits = bits;
        this.actuals = actuals;
    }

    /// <summary>The number of bits a trace of these rules needs: one per rule and one per condition.</summary>
    internal static int BitCount(CompiledRule[] rules) => rules.Length == 0 ? 0 : rules[^1].TraceBit + 1 + rules[^1].ConditionCount;

    internal static void Set(ulong[] bits, int bit) => bits[bit >> 6] |= 1UL << (bit & 63);

    private bool Bit(int bit) => (bits[bit >> 6] & (1UL << (bit & 63))) != 0;

    public int Count => order.Length;

    /// <summary>What the entry of rule <paramref name="index"/> says whatever the profile: id, kind, and each
    /// condition's clause, field and expected text (one instance per rule of the loaded store).</summary>
    public TraceShape Shape(int index) => rules[order[index]].Shape;

    /// <summary>Whether rule <paramref name="index"/> matched.</summary>
    public bool Matched(int index) => Bit(rules[order[index]].TraceBit);

    /// <summary>Whether condition <paramref name="condition"/> (in the order of the shape) of rule <paramref name="index"/> held.</summary>
    public bool Holds(int index, int condition) => Bit(rules[order[index]].TraceBit + 1 + condition);

    /// <summary>The profile's value of the field condition <paramref name="condition"/> of rule <paramref name="index"/>
    /// reads, as the trace shows it (the same string for every condition on that field); null when not provided.</summary>
    public string? Actual(int index, int condition) => actuals[(int)rules[order[index]].Conditions[condition].Field];

    public TraceEntry this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            // Made once, also when two threads read at once (entries are equal either way; this keeps them the same).
            var made = entries ?? Interlocked.CompareExchange(ref entries, new TraceEntry?[Count], null) ?? entries;
            return made[index] ?? Interlocked.CompareExchange(ref made[index], Entry(index), null) ?? made[index]!;
        }
    }

    private TraceEntry Entry(int index)
    {
        var shape = Shape(index);
        var conditions = new TraceCondition[shape.Conditions.Count];
        for (var condition = 0; condition < conditions.Length; condition++)
        {
            var (clause, field, expected) = shape.Conditions[condition];
            conditions[condition] = new TraceCondition(clause, field, expected, Actual(index, condition), Holds(index, condition));
        }

        return new TraceEntry(shape.RuleId, shape.Kind, Matched(index), conditions);
    }

    public IEnumerator<TraceEntry> GetEnumerator()
    {
        for (var index = 0; index < Count; index++)
        {
            yield return this[index];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
