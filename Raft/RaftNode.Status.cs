namespace IceFire.Raft;

/// <summary>What a leader knows of one member's replication.</summary>
/// <param name="Id">The member.</param>
/// <param name="Match">Highest index known to be in its log.</param>
/// <param name="IsLearner">True for a learner.</param>
/// <param name="RecentActive">Heard from within the last election timeout.</param>
/// <param name="Snapshotting">An InstallSnapshot transfer to it is under way.</param>
public readonly record struct MemberProgress(ulong Id, ulong Match, bool IsLearner, bool RecentActive, bool Snapshotting);

public sealed partial class RaftNode
{
    /// <summary>On a leader, the replication state of every other member, by id; empty on other roles.</summary>
    public IReadOnlyList<MemberProgress> MemberProgress()
    {
        if (Role != RaftRole.Leader) return [];
        var list = new List<MemberProgress>(_progress.Count);
        foreach (var (id, p) in _progress)
        {
            if (id == Id) continue;
            list.Add(new MemberProgress(id, p.Match, Config.IsLearner(id), p.RecentActive, p.State == ProgressState.Snapshot));
        }

        list.Sort((a, b) => a.Id.CompareTo(b.Id));
        return list;
    }

    /// <summary>
    /// On a leader, the committed entries the slowest other member (voter or learner) does not hold yet; 0 on other
    /// roles and when this node is the only member. Allocates nothing.
    /// </summary>
    public ulong SlowestMemberLag()
    {
        if (Role != RaftRole.Leader) return 0;
        var commit = Commit;
        ulong lag = 0;
        foreach (var (id, p) in _progress)
        {
            if (id != Id && commit > p.Match && commit - p.Match > lag) lag = commit - p.Match;
        }

        return lag;
    }

    /// <summary>
    /// True when this node leads a group whose only voter is itself, has committed an entry of its term (§8: until then
    /// its commit index may lag entries earlier leaders committed) and has applied everything committed: no other node
    /// can commit while this holds, so the applied state already reflects every acknowledged write and a read needs no
    /// round (dissertation §6.4 with a quorum of one). A change that adds a voter ends it in the batch that appends the
    /// change, before any other node could win an election (which needs this node's vote).
    /// </summary>
    public bool ServesReadsAlone => LeadsAlone && CommittedInCurrentTerm && Applied >= _log.Committed && _pendingInstall is null;

    /// <summary>
    /// True while this node leads a group whose only voter is itself, with no leadership transfer under way: as long
    /// as it holds, no other node can be elected or commit.
    /// </summary>
    public bool LeadsAlone => Role == RaftRole.Leader && LeadTransferee == None && Config.Voters.Count == 1 && Config.IsVoter(Id);

    /// <summary>
    /// True when this node is the group's only member, voter or learner: no other node has been promised anything its
    /// log holds, so whether appended entries are synced is a matter of the application's durability, not of Raft's
    /// safety (a term or vote change still is).
    /// </summary>
    public bool IsSoleMember => Config.Voters.Count == 1 && Config.IsVoter(Id) && Config.Learners.Count == 0;
}
