namespace IceFire.Raft.Tests.Linearizability;

/// <summary>
/// Wing–Gong linearizability search with Lowe's memoization (WGL), run separately per key: registers are
/// P-compositional, so a history is linearizable iff each key's sub-history is (Horn &amp; Kroening).
/// </summary>
internal static class LinearizabilityChecker
{
    /// <summary>Checks a register history; on failure returns the key whose sub-history has no linearization.</summary>
    public static CheckResult Check(IReadOnlyList<Operation> history, long maxStates = 2_000_000)
    {
        var byKey = new SortedDictionary<int, List<Operation>>();
        foreach (var op in history)
        {
            if (!byKey.TryGetValue(op.Key, out var list)) byKey[op.Key] = list = [];
            list.Add(op);
        }

        foreach (var (key, ops) in byKey)
        {
            var verdict = CheckRegister(ops, maxStates);
            if (verdict != Verdict.Linearizable) return new CheckResult(verdict, key, ops);
        }

        return new CheckResult(Verdict.Linearizable, -1, []);
    }

    private static Verdict CheckRegister(List<Operation> ops, long maxStates)
    {
        // Events: a call and a return per operation, in time order; at equal times calls first (more overlap, more lenient).
        var n = ops.Count;
        var nodes = new Node[2 * n];
        var order = new List<(long Time, int Kind, int Op)>(2 * n);
        for (var i = 0; i < n; i++)
        {
            order.Add((ops[i].Invoke, 0, i));
            order.Add((ops[i].Return, 1, i));
        }

        order.Sort();
        var head = new Node(-1, false);
        var prev = head;
        var calls = new Node[n];
        var returns = new Node[n];
        foreach (var (_, kind, op) in order)
        {
            var node = new Node(op, kind == 0);
            if (kind == 0) calls[op] = node;
            else returns[op] = node;
            prev.Next = node;
            node.Prev = prev;
            prev = node;
        }

        for (var i = 0; i < n; i++) calls[i].Match = returns[i];
        var linearized = new Bits(n);
        var cache = new HashSet<(Bits, long?)>();
        var stack = new Stack<(Node Call, long? State)>();
        long? state = null;
        var entry = head.Next;
        long explored = 0;
        while (head.Next is not null)
        {
            if (++explored > maxStates) return Verdict.Unknown;
            if (entry!.IsCall)
            {
                var op = ops[entry.Op];
                var (ok, next) = op.Kind switch
                {
                    OpKind.Write => (true, op.Value),
                    OpKind.Read => (op.Value == state, state),
                    // An increment is a read-modify-write: its result must follow the state it is placed after.
                    _ => (op.Pending || op.Value == (state ?? 0) + 1, (state ?? 0) + 1),
                };
                if (ok)
                {
                    var bits = linearized.With(entry.Op);
                    if (cache.Add((bits, next)))
                    {
                        stack.Push((entry, state));
                        state = next;
                        linearized = bits;
                        Lift(entry);
                        entry = head.Next;
                        continue;
                    }
                }

                entry = entry.Next;
            }
            else
            {
                // A return whose call is not yet linearized: backtrack.
                if (stack.Count == 0) return Verdict.NotLinearizable;
                var (call, before) = stack.Pop();
                state = before;
                linearized = linearized.Without(call.Op);
                Unlift(call);
                entry = call.Next;
            }
        }

        return Verdict.Linearizable;
    }

    private static void Lift(Node call)
    {
        call.Prev!.Next = call.Next;
        if (call.Next is not null) call.Next.Prev = call.Prev;
        var ret = call.Match!;
        ret.Prev!.Next = ret.Next;
        if (ret.Next is not null) ret.Next.Prev = ret.Prev;
    }

    private static void Unlift(Node call)
    {
        var ret = call.Match!;
        ret.Prev!.Next = ret;
        if (ret.Next is not null) ret.Next.Prev = ret;
        call.Prev!.Next = call;
        if (call.Next is not null) call.Next.Prev = call;
    }

    private sealed class Node(int op, bool isCall)
    {
        public int Op { get; } = op;

        public bool IsCall { get; } = isCall;

        public Node? Match { get; set; }

        public Node? Prev { get; set; }

        public Node? Next { get; set; }
    }

    /// <summary>An immutable bit set with value equality, for the memo of (linearized set, state).</summary>
    private readonly struct Bits : IEquatable<Bits>
    {
        private readonly ulong[] _words;

        public Bits(int n) => _words = new ulong[(n + 63) / 64];

        private Bits(ulong[] words) => _words = words;

        public Bits With(int i)
        {
            var w = (ulong[])_words.Clone();
            w[i >> 6] |= 1UL << (i & 63);
            return new Bits(w);
        }

        public Bits Without(int i)
        {
            var w = (ulong[])_words.Clone();
            w[i >> 6] &= ~(1UL << (i & 63));
            return new Bits(w);
        }

        public bool Equals(Bits other) => _words.AsSpan().SequenceEqual(other._words);

        public override bool Equals(object? obj) => obj is Bits b && Equals(b);

        public override int GetHashCode()
        {
            var h = new HashCode();
            foreach (var w in _words) h.Add(w);
            return h.ToHashCode();
        }
    }
}

internal enum Verdict
{
    Linearizable,
    NotLinearizable,
    Unknown,
}

/// <summary>Verdict plus, on failure, the key and its sub-history.</summary>
internal sealed record CheckResult(Verdict Verdict, int Key, IReadOnlyList<Operation> Witness)
{
    public string Describe() =>
        Verdict == Verdict.Linearizable ? "linearizable" : $"{Verdict} on key {Key}:\n  " + string.Join("\n  ", Witness.OrderBy(o => o.Invoke));
}
