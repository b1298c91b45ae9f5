namespace IceFire.Raft;

/// <summary>
/// The in-memory view of a node's log: the snapshot point plus every entry after it. Entries from
/// <see cref="UnstableFrom"/> on are not yet persisted; they go out in the next <see cref="Ready"/>.
/// </summary>
internal sealed class RaftLog
{
    private readonly List<Entry> _entries = [];
    private ulong _offset;
    private ulong _offsetTerm;

    public RaftLog(SnapshotMetadata snapshot, IReadOnlyList<Entry> entries, ulong commit)
    {
        _offset = snapshot.Index;
        _offsetTerm = snapshot.Term;
        var expected = _offset + 1;
        foreach (var e in entries)
        {
            if (e.Index != expected) RaftCorruptionException.Throw($"log entries are not contiguous: expected index {expected}, found {e.Index}");
            _entries.Add(e);
            expected++;
        }

        if (commit < _offset) commit = _offset;
        if (commit > LastIndex) RaftCorruptionException.Throw($"persisted commit {commit} is beyond the last persisted entry {LastIndex}");
        Committed = commit;
        UnstableFrom = LastIndex + 1;
    }

    /// <summary>Highest index known committed.</summary>
    public ulong Committed { get; set; }

    /// <summary>First index not yet persisted by the host.</summary>
    public ulong UnstableFrom { get; set; }

    /// <summary>Index of the snapshot the log starts after.</summary>
    public ulong SnapshotIndex => _offset;

    /// <summary>Term of the snapshot the log starts after.</summary>
    public ulong SnapshotTerm => _offsetTerm;

    public ulong FirstIndex => _offset + 1;

    public ulong LastIndex => _offset + (ulong)_entries.Count;

    public ulong LastTerm => _entries.Count == 0 ? _offsetTerm : _entries[^1].Term;

    /// <summary>Term at <paramref name="index"/>, or false when compacted away or beyond the end.</summary>
    public bool TryTerm(ulong index, out ulong term)
    {
        if (index == _offset) { term = _offsetTerm; return true; }
        if (index < _offset || index > LastIndex) { term = 0; return false; }
        term = _entries[(int)(index - _offset - 1)].Term;
        return true;
    }

    public bool MatchTerm(ulong index, ulong term) => TryTerm(index, out var t) && t == term;

    public Entry At(ulong index) => _entries[(int)(index - _offset - 1)];

    /// <summary>§5.4.1: a candidate's log is at least as up-to-date as ours.</summary>
    public bool IsUpToDate(ulong lastIndex, ulong lastTerm) =>
        lastTerm > LastTerm || (lastTerm == LastTerm && lastIndex >= LastIndex);

    /// <summary>Largest index at or below <paramref name="index"/> whose term is at most <paramref name="term"/> (fast back-off).</summary>
    public ulong FindConflictByTerm(ulong index, ulong term)
    {
        if (index > LastIndex) index = LastIndex;
        while (index > _offset && At(index).Term > term) index--;
        return index;
    }

    /// <summary>Leader append of fresh entries at the end.</summary>
    public void Append(Entry entry)
    {
        if (entry.Index != LastIndex + 1) RaftInvariantException.Throw($"append at {entry.Index} after last index {LastIndex}");
        _entries.Add(entry);
    }

    /// <summary>
    /// Follower append after a matching (prevIndex, prevTerm): skips entries already present, truncates at the
    /// first conflict (§5.3) and appends the rest. Returns the index of the first entry written, or 0 when none.
    /// </summary>
    public ulong AppendFromLeader(IReadOnlyList<Entry> entries)
    {
        var i = 0;
        while (i < entries.Count && MatchTerm(entries[i].Index, entries[i].Term)) i++;
        if (i == entries.Count) return 0;
        var first = entries[i].Index;
        if (first <= LastIndex)
        {
            if (first <= Committed) RaftInvariantException.Throw($"conflicting entry at {first} would overwrite committed index {Committed}");
            _entries.RemoveRange((int)(first - _offset - 1), (int)(LastIndex - first + 1));
        }

        if (UnstableFrom > first) UnstableFrom = first;
        for (; i < entries.Count; i++) Append(entries[i]);
        return first;
    }

    /// <summary>Entries in [lo, hi] within a byte and count budget; always at least one when the range is not empty.</summary>
    public IReadOnlyList<Entry> Slice(ulong lo, ulong hi, long maxBytes, int maxCount)
    {
        if (lo > hi) return [];
        var result = new List<Entry>((int)Math.Min(hi - lo + 1, (ulong)maxCount));
        long bytes = 0;
        for (var i = lo; i <= hi && result.Count < maxCount; i++)
        {
            var e = At(i);
            bytes += e.Size;
            if (result.Count > 0 && bytes > maxBytes) break;
            result.Add(e);
        }

        return result;
    }

    /// <summary>Drops entries up to <paramref name="index"/>; they are covered by a persisted snapshot.</summary>
    public void Compact(ulong index, ulong term)
    {
        if (index <= _offset) return;
        if (index > LastIndex) RaftInvariantException.Throw($"compaction at {index} beyond last index {LastIndex}");
        _entries.RemoveRange(0, (int)(index - _offset));
        _offset = index;
        _offsetTerm = term;
    }

    /// <summary>Replaces the whole log by a snapshot received from the leader.</summary>
    public void Restore(SnapshotMetadata snapshot)
    {
        _entries.Clear();
        _offset = snapshot.Index;
        _offsetTerm = snapshot.Term;
        Committed = snapshot.Index;
        UnstableFrom = snapshot.Index + 1;
    }
}
