namespace IceFire.Raft;

public sealed partial class RaftNode
{
    /// <summary>
    /// Hands leadership to <paramref name="target"/> (dissertation §3.10): proposals stop, the target is brought up to
    /// date, then told to campaign at once. The attempt is abandoned after an election timeout.
    /// </summary>
    public ProposeStatus TransferLeadership(ulong target)
    {
        EnsureNoReadyOutstanding();
        if (Role != RaftRole.Leader) return Leader == None ? ProposeStatus.NoLeader : ProposeStatus.NotLeader;
        if (target == Id) return ProposeStatus.Accepted;
        if (!Config.IsVoter(target) || !_progress.TryGetValue(target, out var pr)) return ProposeStatus.Rejected;
        if (LeadTransferee == target) return ProposeStatus.Accepted;
        AbortTransfer();
        WakeUp();
        LeadTransferee = target;
        _electionElapsed = 0;
        if (pr.Match == _log.LastIndex) SendTimeoutNow(target);
        else MaybeSendAppend(target, sendIfEmpty: true);
        return ProposeStatus.Accepted;
    }

    private void SendTimeoutNow(ulong to)
    {
        // Once the target may campaign, followers may vote for it at once: the lease is void for this term.
        _leaseRevoked = true;
        Send(new Message { Type = MessageType.TimeoutNow, To = to });
    }

    private void AbortTransfer() => LeadTransferee = None;

    private void HandleTimeoutNow()
    {
        if (!Promotable) return;
        // The leader asked: skip pre-vote and override the other members' leader stickiness.
        StartCampaign(preVote: false, transfer: true);
    }
}
