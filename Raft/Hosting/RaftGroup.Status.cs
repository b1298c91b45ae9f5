using System.Collections.Concurrent;

namespace IceFire.Raft.Hosting;

/// <summary>A group's state as one turn saw it.</summary>
/// <param name="Role">This node's role.</param>
/// <param name="Leader">The known leader, or 0.</param>
/// <param name="Term">The current term.</param>
/// <param name="Commit">The commit index.</param>
/// <param name="Applied">The last index applied here.</param>
/// <param name="LastIndex">The last index in this node's log.</param>
/// <param name="Config">The membership in force.</param>
/// <param name="Members">On a leader, every other member's replication; empty otherwise.</param>
public sealed record RaftGroupStatus(
    RaftRole Role,
    ulong Leader,
    ulong Term,
    ulong Commit,
    ulong Applied,
    ulong LastIndex,
    ConfState Config,
    IReadOnlyList<MemberProgress> Members);

public sealed partial class RaftGroup
{
    private readonly ConcurrentQueue<TaskCompletionSource<RaftGroupStatus>> _statusRequests = new();

    /// <summary>The group's state, read on its next turn (for monitoring, lag and membership decisions).</summary>
    public Task<RaftGroupStatus> GetStatusAsync()
    {
        var tcs = new TaskCompletionSource<RaftGroupStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_fault is { } fault)
        {
            tcs.SetException(fault);
            return tcs.Task;
        }
        _statusRequests.Enqueue(tcs);
        Post(new Work(WorkKind.Status, null, null, null, 0));
        return tcs.Task;
    }

    private void AnswerStatus()
    {
        var status = new RaftGroupStatus(_node.Role, _node.Leader, _node.Term, _node.Commit, _node.Applied, _node.LastIndex, _node.Config, _node.MemberProgress());
        while (_statusRequests.TryDequeue(out var request))
        {
            request.TrySetResult(status);
        }
    }

    private void FailStatusRequests(Exception fault)
    {
        while (_statusRequests.TryDequeue(out var request))
        {
            request.TrySetException(fault);
        }
    }
}
