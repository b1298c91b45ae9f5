namespace IceFire.Raft.Transport;

/// <summary>
/// Carries Raft messages between nodes. A group member's id is the id of the node it runs on, so
/// <see cref="Message.To"/> names the destination node.
/// <para>Contract: <see cref="Send"/> may be called from any thread and never blocks on the network; delivery is
/// best effort (Raft retransmits), messages to one node keep their order while a connection lasts.</para>
/// </summary>
public interface IRaftTransport
{
    /// <summary>Queues <paramref name="message"/> of <paramref name="group"/> for its destination node.</summary>
    void Send(ulong group, Message message);
}
