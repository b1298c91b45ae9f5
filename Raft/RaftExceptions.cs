using System.Diagnostics.CodeAnalysis;

namespace IceFire.Raft;

/// <summary>A Raft invariant was broken (for example a committed entry would be overwritten). The node must stop.</summary>
public sealed class RaftInvariantException(string message) : Exception(message)
{
    /// <summary>Throws a new <see cref="RaftInvariantException"/>.</summary>
    [DoesNotReturn]
    public static void Throw(string message) => throw new RaftInvariantException(message);
}

/// <summary>Durable Raft state is corrupt (checksum, framing, impossible values). The node must stop rather than serve wrong data.</summary>
public sealed class RaftCorruptionException(string message) : Exception(message)
{
    /// <summary>Throws a new <see cref="RaftCorruptionException"/>.</summary>
    [DoesNotReturn]
    public static void Throw(string message) => throw new RaftCorruptionException(message);
}
