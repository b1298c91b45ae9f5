using System.Diagnostics;

namespace IceFire.Raft.Hosting;

public sealed partial class RaftGroup
{
    private const int MaxWorkPerTurn = 4096;
    // Proposed: a Stopwatch timestamp when the commit latency is sampled, else 0.
    private readonly Dictionary<ulong, (ulong Term, TaskCompletionSource<ulong> Completion, long Proposed)> _proposals = [];
    private readonly Dictionary<ulong, TaskCompletionSource<ulong>> _reads = [];
    private readonly List<(ulong Index, TaskCompletionSource<ulong> Completion)> _readsWaitingApply = [];
    private ulong _readContext;
    private ulong _lastSnapshotIndex;
    private int _inTurn;
    // The role the state machine was last told of; a group starts as a follower.
    private RaftRole _machineRole = RaftRole.Follower;

    /// <summary>Runs one turn on a worker: handle queued work, then persist, send, apply, advance.</summary>
    internal void RunTurn()
    {
        if (Interlocked.Exchange(ref _inTurn, 1) != 0)
        {
            // A scheduling bug, not a storage fault; stopping is safer than two threads stepping one node.
            Stop(new RaftInvariantException($"group {Id}: two turns ran at once"));
            return;
        }
        try
        {
            if (_fault is null)
            {
                // Time first: leases and timers must see every tick that passed before the work that follows.
                for (var owed = Interlocked.Exchange(ref _ticksOwed, 0); owed > 0; owed--) _node.Tick();
                for (var n = 0; n < MaxWorkPerTurn && _fault is null && _inbox.TryDequeue(out var work); n++) Handle(work);
                if (_fault is null)
                {
                    ProcessReady();
                    Publish();
                }
            }
        }
        catch (Exception e)
        {
            // Storage or the application failed: the durable state can no longer be trusted (see IRaftStorage).
            Stop(e);
        }

        if (_fault is not null)
        {
            while (_inbox.TryDequeue(out var work)) work.Completion?.TrySetException(_fault);
            FailStatusRequests(_fault);
        }

        Volatile.Write(ref _inTurn, 0);
        Volatile.Write(ref _scheduled, 0);
        if (!_inbox.IsEmpty && Interlocked.Exchange(ref _scheduled, 1) == 0) _host.Schedule(this);
    }

    private void Handle(Work w)
    {
        switch (w.Kind)
        {
            case WorkKind.Step:
                _node.Step(w.Message!);
                break;
            case WorkKind.Tick:
                // The ticks themselves were applied at the start of the turn.
                Volatile.Write(ref _tickPending, 0);
                break;
            case WorkKind.Propose:
                Track(_node.Propose(w.Data!), w.Completion!, (long)w.Arg);
                break;
            case WorkKind.ConfChange:
                Track(_node.ProposeConfChange(new ConfChange((ConfChangeType)(w.Arg >> 56), w.Arg & 0x00FF_FFFF_FFFF_FFFF)), w.Completion!, 0);
                break;
            case WorkKind.Read:
                var ctx = ++_readContext;
                var status = _node.ReadIndex(ctx);
                if (status == ProposeStatus.Accepted) _reads[ctx] = w.Completion!;
                else w.Completion!.TrySetException(Refused(status));
                break;
            case WorkKind.Transfer:
                var transfer = _node.TransferLeadership(w.Arg);
                if (transfer == ProposeStatus.Accepted) w.Completion!.TrySetResult(w.Arg);
                else w.Completion!.TrySetException(Refused(transfer));
                break;
            case WorkKind.Campaign:
                _node.Campaign();
                break;
            case WorkKind.Unreachable:
                _node.ReportUnreachable(w.Arg);
                break;
            case WorkKind.Status:
                AnswerStatus();
                break;
            case WorkKind.Remove:
                Stop(new ObjectDisposedException($"group {Id}", "the group was removed from this host"));
                DisposeStorage();
                w.Completion!.TrySetResult(0);
                break;
        }
    }

    private void Track(ProposeResult r, TaskCompletionSource<ulong> completion, long proposed)
    {
        if (r.Status == ProposeStatus.Accepted) _proposals[r.Index] = (r.Term, completion, proposed);
        else completion.TrySetException(Refused(r.Status));
    }

    private RaftProposalException Refused(ProposeStatus status) =>
        new(status, _node.Leader, $"group {Id} on node {_node.Id} refused the request: {status} (leader {_node.Leader})");

    private void ProcessReady()
    {
        while (_node.HasReady())
        {
            var ready = _node.GetReady();
            // Persist, then send, then apply: messages promise what was persisted (votes, acknowledged entries).
            foreach (var chunk in ready.SnapshotChunks) _storage.WriteSnapshotChunk(chunk.Metadata, chunk.Offset, chunk.Data);
            SoleMember = _node.IsSoleMember;
            _storage.Save(ready.HardState, ready.Entries, ready.Snapshot, ready.MustSync);
            // Before any message (a vote, an append to a new voter) lets another node lead: reads stop being served alone.
            if (_readsAlone && !_node.LeadsAlone) _readsAlone = false;
            foreach (var m in ready.Messages)
            {
                if (m.NeedsSnapshotData) m.Data = _storage.ReadSnapshotChunk(m.Snapshot!.Index, (long)m.Offset, m.ChunkLength);
                _transport.Send(Id, m);
            }
            if (ready.SoftState is { } soft && soft.Role != _machineRole)
            {
                _machineRole = soft.Role;
                _machine.RoleChanged(soft.Role, _node.Term);
            }
            if (ready.Snapshot is { } snapshot)
            {
                var path = _storage.SnapshotPath(snapshot.Metadata.Index)
                    ?? throw new RaftInvariantException($"group {Id}: installed snapshot {snapshot.Metadata.Index} has no image");
                _machine.Restore(snapshot, path);
                _lastSnapshotIndex = snapshot.Metadata.Index;
                FailProposalsUpTo(snapshot.Metadata.Index);
            }

            // Committed now, before the apply: the commit latency ends here.
            var committed = ready.CommittedEntries.Count > 0 && _proposals.Count > 0 ? Stopwatch.GetTimestamp() : 0;
            if (ready.CommittedEntries.Count > 0) _machine.ApplyBatch(ready.CommittedEntries);
            foreach (var e in ready.CommittedEntries)
            {
                if (_proposals.Remove(e.Index, out var p))
                {
                    if (p.Proposed != 0 && p.Term == e.Term) _host.Metrics.RecordCommit(p.Proposed, committed);
                    if (p.Term == e.Term) p.Completion.TrySetResult(e.Index);
                    else p.Completion.TrySetException(new RaftProposalException(ProposeStatus.NotLeader, _node.Leader, $"entry {e.Index} was replaced by another leader's entry"));
                }
            }

            foreach (var rs in ready.ReadStates)
            {
                if (_reads.Remove(rs.Context, out var read)) _readsWaitingApply.Add((rs.Index, read));
            }

            if (ready.SoftState is { Role: not RaftRole.Leader } && _proposals.Count > 0)
            {
                // Leadership is gone: what was proposed here may still commit under the next leader, or never.
                // Callers learn it now and retry idempotently instead of waiting for an index that may never come.
                foreach (var (index, p) in _proposals)
                    p.Completion.TrySetException(new RaftOutcomeUnknownException($"group {Id}: lost leadership before entry {index} committed"));
                _proposals.Clear();
            }

            if (ready.SoftState is not null && _reads.Count > 0)
            {
                // ReadIndex requests die with the leader that received them; tell callers to retry.
                foreach (var read in _reads.Values) read.TrySetException(new RaftOutcomeUnknownException($"group {Id}: leadership changed during a read"));
                _reads.Clear();
            }

            _node.Advance(ready);
            ServeReads();
            MaybeSnapshot();
        }
    }

    private void ServeReads()
    {
        for (var i = _readsWaitingApply.Count - 1; i >= 0; i--)
        {
            var (index, completion) = _readsWaitingApply[i];
            if (_node.Applied < index) continue;
            _readsWaitingApply.RemoveAt(i);
            completion.TrySetResult(index);
        }
    }

    private void MaybeSnapshot()
    {
        if (_node.Applied - _lastSnapshotIndex < _host.Options.SnapshotEveryEntries) return;
        var metadata = _node.SnapshotMetadataAt(_node.Applied);
        var snapshot = _storage.Compact(metadata, path => _machine.TakeSnapshot(metadata, path));
        _node.Compact(snapshot);
        _lastSnapshotIndex = snapshot.Metadata.Index;
    }

    private void FailProposalsUpTo(ulong index)
    {
        foreach (var key in _proposals.Keys.Where(k => k <= index).ToList())
        {
            _proposals.Remove(key, out var p);
            p.Completion.TrySetException(new RaftOutcomeUnknownException($"group {Id}: entry {key} was covered by a snapshot before it was applied here"));
        }
    }

    private void Publish()
    {
        Role = _node.Role;
        Leader = _node.Leader;
        Term = _node.Term;
        CommitIndex = _node.Commit;
        AppliedIndex = _node.Applied;
        ReplicationLag = _node.SlowestMemberLag();
        SnapshotIndex = _node.LatestSnapshot.Index;
        Config = _node.Config;
        Quiesced = _node.Quiesced;
        _readsAlone = _fault is null && _node.ServesReadsAlone;
    }

    internal void DisposeStorage() => _storage.Dispose();

    internal void Stop(Exception fault)
    {
        _readsAlone = false;
        _fault ??= fault;
        foreach (var p in _proposals.Values) p.Completion.TrySetException(fault);
        foreach (var r in _reads.Values) r.TrySetException(fault);
        foreach (var (_, r) in _readsWaitingApply) r.TrySetException(fault);
        FailStatusRequests(fault);
        _proposals.Clear();
        _reads.Clear();
        _readsWaitingApply.Clear();
    }
}
