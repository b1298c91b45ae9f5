using System.Buffers.Binary;

namespace IceFire.Raft;

/// <summary>Membership of a group: voters decide, learners only receive the log. Immutable.</summary>
public sealed class ConfState : IEquatable<ConfState>
{
    /// <summary>The empty membership of a node that waits to be added.</summary>
    public static readonly ConfState Empty = new([], []);

    /// <summary>Creates a membership; ids are sorted and deduplicated, a voter is never also a learner.</summary>
    public ConfState(IEnumerable<ulong> voters, IEnumerable<ulong> learners)
    {
        var v = new SortedSet<ulong>(voters);
        v.Remove(0);
        var l = new SortedSet<ulong>(learners);
        l.Remove(0);
        l.ExceptWith(v);
        Voters = [.. v];
        Learners = [.. l];
    }

    /// <summary>Voting members, ascending.</summary>
    public IReadOnlyList<ulong> Voters { get; }

    /// <summary>Non-voting members, ascending.</summary>
    public IReadOnlyList<ulong> Learners { get; }

    /// <summary>Votes needed for a majority of <see cref="Voters"/>.</summary>
    public int Quorum => Voters.Count / 2 + 1;

    /// <summary>Whether <paramref name="id"/> votes.</summary>
    public bool IsVoter(ulong id) => Contains(Voters, id);

    /// <summary>Whether <paramref name="id"/> is a learner.</summary>
    public bool IsLearner(ulong id) => Contains(Learners, id);

    /// <summary>Whether <paramref name="id"/> is a member at all.</summary>
    public bool IsMember(ulong id) => IsVoter(id) || IsLearner(id);

    /// <summary>Applies one single-server change (§6 / dissertation §4.1); returns null when it changes nothing or is invalid.</summary>
    public ConfState? Apply(ConfChange change)
    {
        var voters = new List<ulong>(Voters);
        var learners = new List<ulong>(Learners);
        switch (change.Type)
        {
            case ConfChangeType.AddVoter:
                if (IsVoter(change.NodeId)) return null;
                learners.Remove(change.NodeId);
                voters.Add(change.NodeId);
                break;
            case ConfChangeType.AddLearner:
                if (IsLearner(change.NodeId)) return null;
                if (voters.Remove(change.NodeId) && voters.Count == 0) return null;
                learners.Add(change.NodeId);
                break;
            case ConfChangeType.RemoveNode:
                if (!IsMember(change.NodeId)) return null;
                if (voters.Remove(change.NodeId) && voters.Count == 0) return null;
                learners.Remove(change.NodeId);
                break;
            default:
                return null;
        }

        return new ConfState(voters, learners);
    }

    /// <summary>Encodes as: voter count, learner count (u32 LE), then each id (u64 LE).</summary>
    public byte[] Encode()
    {
        var bytes = new byte[8 + 8 * (Voters.Count + Learners.Count)];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)Voters.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)Learners.Count);
        var at = 8;
        foreach (var id in Voters) { BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), id); at += 8; }
        foreach (var id in Learners) { BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), id); at += 8; }
        return bytes;
    }

    /// <summary>Decodes what <see cref="Encode"/> wrote; throws <see cref="RaftCorruptionException"/> on malformed input.</summary>
    public static ConfState Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8) RaftCorruptionException.Throw("configuration entry shorter than its header");
        var voters = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        var learners = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
        if ((ulong)bytes.Length != 8 + 8 * ((ulong)voters + learners)) RaftCorruptionException.Throw("configuration entry length does not match its counts");
        var v = new ulong[voters];
        var l = new ulong[learners];
        var at = 8;
        for (var i = 0; i < v.Length; i++, at += 8) v[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes[at..]);
        for (var i = 0; i < l.Length; i++, at += 8) l[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes[at..]);
        return new ConfState(v, l);
    }

    /// <inheritdoc/>
    public bool Equals(ConfState? other) =>
        other is not null && Voters.SequenceEqual(other.Voters) && Learners.SequenceEqual(other.Learners);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ConfState);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Voters.Count, Learners.Count, Voters.Count > 0 ? Voters[0] : 0);

    /// <inheritdoc/>
    public override string ToString() => $"voters=[{string.Join(",", Voters)}] learners=[{string.Join(",", Learners)}]";

    private static bool Contains(IReadOnlyList<ulong> sorted, ulong id)
    {
        foreach (var x in sorted)
        {
            if (x == id) return true;
        }

        return false;
    }
}

/// <summary>The kind of a single-server membership change. Values are explicit and append-only.</summary>
public enum ConfChangeType
{
    /// <summary>Add a voter, or promote a learner to voter.</summary>
    AddVoter = 0,

    /// <summary>Add a learner, or demote a voter to learner.</summary>
    AddLearner = 1,

    /// <summary>Remove a member.</summary>
    RemoveNode = 2,
}

/// <summary>A single-server membership change request.</summary>
/// <param name="Type">What to do.</param>
/// <param name="NodeId">Which node.</param>
public readonly record struct ConfChange(ConfChangeType Type, ulong NodeId);
