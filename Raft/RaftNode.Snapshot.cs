namespace IceFire.Raft;

public sealed partial class RaftNode
{
    private SnapshotMetadata _snapshotMeta;
    private long _snapshotLength;
    private Snapshot? _pendingInstall;
    private readonly List<SnapshotChunk> _incomingChunks = [];
    private SnapshotMetadata? _incomingSnapshot;
    private long _incomingLength;

    /// <summary>
    /// Position of the latest snapshot this node holds. The node keeps no snapshot bytes: chunks it sends to followers
    /// that fell behind the log name a byte range (<see cref="Message.ChunkLength"/>) the host reads from storage.
    /// </summary>
    public SnapshotMetadata LatestSnapshot => _snapshotMeta;

    /// <summary>
    /// The term and membership at <paramref name="index"/> (which the application has applied): the metadata of a
    /// snapshot the host is about to take there. The host has the application write its image, stores it, then calls
    /// <see cref="Compact"/>.
    /// </summary>
    public SnapshotMetadata SnapshotMetadataAt(ulong index)
    {
        if (index > Applied) throw new ArgumentOutOfRangeException(nameof(index), $"snapshot at {index} is beyond applied index {Applied}");
        if (!_log.TryTerm(index, out var term)) throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is no longer in the log");
        return new SnapshotMetadata(index, term, ConfigAt(index));
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
        (_snapshotMeta, _snapshotLength) = (meta, snapshot.Length);
    }

    private void StartSnapshot(ulong to, Progress pr)
    {
        pr.BecomeSnapshot(_snapshotMeta.Index);
        SendSnapshotChunk(to, pr);
    }

    private void SendSnapshotChunk(ulong to, Progress pr)
    {
        if (pr.PendingSnapshot != _snapshotMeta.Index)
        {
            // The log was compacted again: start over with the newer snapshot.
            pr.BecomeSnapshot(_snapshotMeta.Index);
        }

        var offset = (long)Math.Min(pr.SnapshotOffset, (ulong)_snapshotLength);
        var length = (int)Math.Min(_options.SnapshotChunkBytes, _snapshotLength - offset);
        // The host fills Data with this byte range of the snapshot before sending (see Message.ChunkLength).
        Send(new Message
        {
            Type = MessageType.Snapshot,
            To = to,
            Snapshot = _snapshotMeta,
            Offset = (ulong)offset,
            ChunkLength = length,
            Done = offset + length == _snapshotLength,
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

    /// <summary>
    /// Follower side of InstallSnapshot (§7, Figure 13): accept chunks in order and hand each to the host to write to
    /// the partial image (<see cref="Ready.SnapshotChunks"/>); the last one installs the snapshot. The node keeps only
    /// the transfer's position, never its bytes.
    /// </summary>
    private void HandleSnapshotChunk(Message m)
    {
        var meta = m.Snapshot;
        if (meta is null)
        {
            Counters.DroppedUnexpected++;
            return;
        }

        if (_pendingInstall is not null)
        {
            // The host has not installed the last transfer's image yet; a new transfer would overwrite its partial file.
            // The leader sends the chunk again when it hears nothing.
            Counters.DroppedUnexpected++;
            return;
        }

        if (meta.Index <= _log.Committed)
        {
            // Nothing to gain (for example a chunk resent after the install): tell the leader how far the log matches.
            Send(new Message { Type = MessageType.AppendResponse, To = m.From, Index = _log.Committed });
            return;
        }

        if (m.Offset == 0)
        {
            _incomingSnapshot = meta;
            _incomingLength = 0;
        }

        if (_incomingSnapshot is null || _incomingSnapshot != meta || (ulong)_incomingLength != m.Offset)
        {
            var expected = _incomingSnapshot == meta ? (ulong)_incomingLength : 0;
            Send(new Message { Type = MessageType.SnapshotResponse, To = m.From, Index = meta.Index, Offset = expected });
            return;
        }

        _incomingChunks.Add(new SnapshotChunk(meta, _incomingLength, m.Data));
        _incomingLength += m.Data.Length;
        if (!m.Done)
        {
            Send(new Message { Type = MessageType.SnapshotResponse, To = m.From, Index = meta.Index, Offset = (ulong)_incomingLength });
            return;
        }

        var snapshot = new Snapshot(meta, _incomingLength);
        _incomingSnapshot = null;
        _incomingLength = 0;
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
        (_snapshotMeta, _snapshotLength) = (meta, snapshot.Length);
        _pendingInstall = snapshot;
        return true;
    }
}
