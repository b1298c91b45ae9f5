namespace IceFire.Raft.Tests.Simulation;

/// <summary>What survives a crash of a simulated node: exactly what the host persisted from each Ready.</summary>
internal sealed class DurableState
{
    public HardState HardState { get; set; }

    public required Snapshot Snapshot { get; set; }

    /// <summary>The stored snapshot's image (a file in a real store).</summary>
    public byte[] Image { get; set; } = [];

    public List<Entry> Entries { get; } = [];

    private readonly List<byte> _partial = [];
    private (HardState, Snapshot, byte[], Entry[])? _beforeLast;

    /// <summary>Fault model of a host whose fsync lies: the last batch it "persisted" is lost on a crash.</summary>
    public bool KeepUndo { get; init; }

    public void LoseLastBatch()
    {
        if (_beforeLast is not { } b) return;
        (HardState, Snapshot, Image) = (b.Item1, b.Item2, b.Item3);
        Entries.Clear();
        Entries.AddRange(b.Item4);
        _beforeLast = null;
    }

    private HardState _synced;

    /// <summary>A crash may lose hard-state writes that were not fsynced; Raft only allows that for the commit index.</summary>
    public void LoseUnsynced() => HardState = _synced;

    public void Persist(Ready ready, bool sync = true)
    {
        if (KeepUndo && (ready.Entries.Count > 0 || ready.HardState is not null || ready.Snapshot is not null))
            _beforeLast = (HardState, Snapshot, Image, [.. Entries]);
        foreach (var chunk in ready.SnapshotChunks)
        {
            if (chunk.Offset == 0) _partial.Clear();
            if (chunk.Offset != _partial.Count) throw new InvalidOperationException($"chunk at {chunk.Offset} does not follow the partial image ({_partial.Count} bytes)");
            _partial.AddRange(chunk.Data);
        }

        if (ready.Snapshot is not null)
        {
            if (ready.Snapshot.Length != _partial.Count) throw new InvalidOperationException($"installing {ready.Snapshot.Length} bytes, received {_partial.Count}");
            Snapshot = ready.Snapshot;
            Image = [.. _partial];
            _partial.Clear();
            Entries.Clear();
        }

        if (ready.Entries.Count > 0)
        {
            var first = ready.Entries[0].Index;
            var keep = (int)(first - Snapshot.Metadata.Index - 1);
            if (keep < 0) throw new InvalidOperationException($"entry {first} precedes snapshot {Snapshot.Metadata.Index}");
            if (keep < Entries.Count) Entries.RemoveRange(keep, Entries.Count - keep);
            if (keep != Entries.Count) throw new InvalidOperationException($"gap persisting entry {first}");
            Entries.AddRange(ready.Entries);
        }

        if (ready.HardState is { } hs) HardState = hs;
        if (sync) _synced = HardState;
        else if (HardState.Term != _synced.Term || HardState.Vote != _synced.Vote) throw new InvalidOperationException("term or vote changed without a sync");
    }

    /// <summary>Fills a snapshot chunk the node asked for from the stored snapshot, as a host does before sending.</summary>
    public void FillChunk(Message m)
    {
        if (!m.NeedsSnapshotData) return;
        if (m.Snapshot!.Index != Snapshot.Metadata.Index) throw new InvalidOperationException($"chunk of snapshot {m.Snapshot.Index}, stored {Snapshot.Metadata.Index}");
        m.Data = Image.AsSpan((int)m.Offset, m.ChunkLength).ToArray();
    }

    public Snapshot SaveSnapshot(SnapshotMetadata metadata, byte[] image)
    {
        var snapshot = new Snapshot(metadata, image.Length);
        Image = image;
        var drop = (int)Math.Min((ulong)Entries.Count, snapshot.Metadata.Index - Snapshot.Metadata.Index);
        Entries.RemoveRange(0, drop);
        Snapshot = snapshot;
        return snapshot;
    }

    public RaftInitialState ToInitialState() => new()
    {
        HardState = HardState,
        Snapshot = Snapshot,
        Entries = [.. Entries],
        Applied = Snapshot.Metadata.Index,
    };
}
