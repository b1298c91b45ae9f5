namespace IceFire.Raft.Hosting;

/// <summary>
/// The application replicated by a group. All methods run on the group's turn, one at a time, in log order; other
/// threads that read the application's state must synchronize with it themselves. An exception stops the group.
/// </summary>
public interface IRaftStateMachine
{
    /// <summary>Applies one committed entry. Configuration entries and the leaders' empty no-ops arrive too.</summary>
    void Apply(Entry entry);

    /// <summary>Serializes the state as of the last applied entry (for log compaction).</summary>
    byte[] TakeSnapshot();

    /// <summary>Replaces the whole state with a snapshot (at start-up, or received from the leader).</summary>
    void Restore(Snapshot snapshot);
}
