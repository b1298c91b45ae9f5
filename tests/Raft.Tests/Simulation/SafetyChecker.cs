namespace IceFire.Raft.Tests.Simulation;

/// <summary>Checks the Raft safety properties (§5.4, Figure 3) over the whole history of a simulated run.</summary>
internal sealed class SafetyChecker
{
    private readonly Dictionary<ulong, ulong> _leaderOfTerm = [];
    private readonly Dictionary<ulong, Entry> _committed = [];
    private readonly Dictionary<(ulong Index, ulong Term), (ulong PrevTerm, byte[] Data)> _seen = [];
    private readonly Dictionary<ulong, (ulong Index, ulong Term)> _verified = [];
    private readonly Dictionary<ulong, (ulong Term, ulong Index)> _completeness = [];
    private readonly Dictionary<ulong, (ulong EntryTerm, ulong CommitTerm)> _leaderCommitted = [];
    private ulong _maxLeaderCommitted;

    public long Checks { get; private set; }

    public int CommittedCount => _committed.Count;

    public ulong MaxCommitted => _maxLeaderCommitted;

    /// <summary>State-machine safety: no two servers apply different entries at one index.</summary>
    public string? OnApply(ulong node, Entry e)
    {
        if (_committed.TryGetValue(e.Index, out var known))
        {
            if (known.Term != e.Term || !known.Data.AsSpan().SequenceEqual(e.Data))
                return $"state machine safety: node {node} applied {e.Index}@t{e.Term}, another applied {known.Index}@t{known.Term}";
        }
        else
        {
            _committed[e.Index] = e;
        }

        return null;
    }

    public string? Check(SimNode node)
    {
        var raft = node.Raft;
        if (raft is null) return null;
        Checks++;
        if (raft.Role == RaftRole.Leader)
        {
            // Election safety: at most one leader per term.
            if (_leaderOfTerm.TryGetValue(raft.Term, out var other) && other != node.Id)
                return $"election safety: nodes {other} and {node.Id} both lead term {raft.Term}";
            _leaderOfTerm[raft.Term] = node.Id;
            RecordLeaderCommits(raft);
            var error = CheckLeaderCompleteness(node.Id, raft);
            if (error is not null) return error;
        }

        return CheckLogMatching(node.Id, raft);
    }

    private void RecordLeaderCommits(RaftNode raft)
    {
        // The term in which an entry became committed: a later leader must hold it.
        for (var i = Math.Max(_maxLeaderCommitted + 1, raft.FirstIndex); i <= raft.Commit; i++)
        {
            raft.TryGetTerm(i, out var t);
            _leaderCommitted.TryAdd(i, (t, raft.Term));
        }

        if (raft.Commit > _maxLeaderCommitted) _maxLeaderCommitted = raft.Commit;
    }

    private string? CheckLeaderCompleteness(ulong id, RaftNode raft)
    {
        // Leader completeness (§5.4.1): a leader's log holds every entry committed in an earlier term.
        var from = _completeness.TryGetValue(id, out var c) && c.Term == raft.Term ? c.Index + 1 : raft.FirstIndex;
        var i = Math.Max(from, raft.FirstIndex);
        for (; i <= _maxLeaderCommitted; i++)
        {
            if (!_leaderCommitted.TryGetValue(i, out var e) || e.CommitTerm >= raft.Term) continue;
            if (!raft.TryGetTerm(i, out var t) || t != e.EntryTerm)
                return $"leader completeness: leader {id} of term {raft.Term} lacks {i}@t{e.EntryTerm} committed in term {e.CommitTerm}";
        }

        _completeness[id] = (raft.Term, Math.Max(_maxLeaderCommitted, from - 1));
        return null;
    }

    private string? CheckLogMatching(ulong id, RaftNode raft)
    {
        // Log matching: an (index, term) pair names one entry and one predecessor, so equal pairs mean equal prefixes.
        var start = raft.FirstIndex;
        if (_verified.TryGetValue(id, out var v) && v.Index >= raft.FirstIndex && raft.TryGetTerm(v.Index, out var t) && t == v.Term)
            start = v.Index + 1;
        for (var i = start; i <= raft.LastIndex; i++)
        {
            var e = raft.EntryAt(i)!;
            raft.TryGetTerm(i - 1, out var prevTerm);
            var hasPrev = i - 1 >= raft.FirstIndex - 1;
            if (_seen.TryGetValue((i, e.Term), out var s))
            {
                if ((hasPrev && s.PrevTerm != prevTerm) || !s.Data.AsSpan().SequenceEqual(e.Data))
                    return $"log matching: node {id} entry {i}@t{e.Term} differs from another log's entry with the same index and term";
            }
            else
            {
                _seen[(i, e.Term)] = (prevTerm, e.Data);
            }
        }

        if (raft.LastIndex >= raft.FirstIndex) _verified[id] = (raft.LastIndex, raft.LastTerm);
        return null;
    }
}
