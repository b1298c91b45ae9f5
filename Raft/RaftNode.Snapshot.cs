namespace IceFire.Raft;

public sealed partial class RaftNode
{
    private Snapshot _snapshot;
    private Snapshot? _pendingInstall;
    private SnapshotMetadata? _incomingSnapshot;
    private MemoryStream? _incomingData;

    /// <summary>The latest snapshot this node holds (sent to followers that fell behind the log).</summary>
    public Snapshot LatestSnapshot => _snapshot;

    /// <summary>
    /// Wraps the application's image of its state as of <paramref name="index"/> (which it has applied) with the term
    /// and membership at that point. The host persists it, then calls <see cref="Compact"/>.
    /// </summary>
    public Snapshot CreateSnapshot(ulong index, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (index > Applied) throw new ArgumentOutOfRangeException(nameof(index), $"snapshot at {index} is beyond applied index {Applied}");
        if (!_log.TryTerm(index, out var term)) throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is no longer in the log");
        return new Snapshot(new SnapshotMetadata(index, term, ConfigAt(index)), data);
    }

    /// <summary>Discards log entries covered by <paramref name="snapshot"/>, which the host has persisted (§7).</summary>
    public void Compact(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        EnsureNoReadyOutstanding();
        var meta = snapshot.Metadata;
        if (meta.Index <= _log.SnapshotIndex) return;
        if (meta.Index > Applied) throw new ArgumentOutOfRangeException(nameof(snapshot), "cannot compact past the applied index");
        _snapshotConfig = meta.Config;
        _configEntries.RemoveAll(e => e.Index <= meta.Index);
        _log.Compact(meta.Index, meta.Term);
        _snapshot = snapshot;
    }

    private void StartSnapshot(ulong to, Progress pr)
    {
        pr.BecomeSnapshot(_snapshot.Metadata.Index);
        SendSnapshotChunk(to, pr);
    }

    private void SendSnapshotChunk(ulong to, Progress pr)
    {
        if (pr.PendingSnapshot != _snapshot.Metadata.Index)
        {
            // The log was compacted again: start over with the newer snapshot.
            pr.BecomeSnapshot(_snapshot.Metadata.Index);
        }

        var data = _snapshot.Data;
        var offset = (int)Math.Min(pr.SnapshotOffset, (ulong)data.Length);
        var length = Math.Min(_options.SnapshotChunkBytes, data.Length - offset);
        Send(new Message
        {
            Type = MessageType.Snapshot,
            To = to,
            Snapshot = _snapshot.Metadata,
            Offset = (ulong)offset,
            Data = data.AsSpan(offset, length).ToArray(),
            Done = offset + length == data.Length,
        });
    }

    private void HandleSnapshotResponse(Message m, Progress pr)
    {
        if (pr.State != ProgressState.Snapshot || m.Index != pr.PendingSnapshot) return;
        // Stop-and-wait per chunk: a duplicate answer names the offset we already hold and is ignored.
        if (m.Offset == pr.SnapshotOffset) return;
        pr.SnapshotOffset = m.Offset;
        SendSnapshotChunk(m.From, pr);
    }

    /// <summary>Follower side of InstallSnapshot (§7, Figure 13): assemble chunks in order, install on the last.</summary>
    private void HandleSnapshotChunk(Message m)
    {
        var meta = m.Snapshot;
        if (meta is null)
        {
            Counters.DroppedUnexpected++;
            return;
        }

        if (m.Offset == 0)
        {
            _incomingSnapshot = meta;
            _incomingData = new MemoryStream();
        }

        if (_incomingSnapshot is null || _incomingData is null || _incomingSnapshot != meta || (ulong)_incomingData.Length != m.Offset)
        {
            var expected = _incomingSnapshot == meta && _incomingData is not null ? (ulong)_incomingData.Length : 0;
            Send(new Message { Type = MessageType.SnapshotResponse, To = m.From, Index = meta.Index, Offset = expected });
            return;
        }

        _incomingData.Write(m.Data);
        if (!m.Done)
        {
            Send(new Message { Type = MessageType.SnapshotResponse, To = m.From, Index = meta.Index, Offset = (ulong)_incomingData.Length });
            return;
        }

        var snapshot = new Snapshot(meta, _incomingData.ToArray());
        _incomingSnapshot = null;
        _incomingData = null;
        var index = Restore(snapshot) ? meta.Index : _log.Committed;
        Send(new Message { Type = MessageType.AppendResponse, To = m.From, Index = index });
    }

    private bool Restore(Snapshot snapshot)
    {
        var meta = snapshot.Metadata;
        if (meta.Index <= _log.Committed) return false;
        if (_log.MatchTerm(meta.Index, meta.Term))
        {
            // Our log already holds the snapshot's last entry: keep the log, just learn the commit.
            CommitTo(meta.Index);
            return true;
        }

        _log.Restore(meta);
        _configEntries.Clear();
        _snapshotConfig = meta.Config;
        SetConfig(meta.Config);
        _snapshot = snapshot;
        _pendingInstall = snapshot;
        return true;
    }
}
