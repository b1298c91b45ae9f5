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
}
