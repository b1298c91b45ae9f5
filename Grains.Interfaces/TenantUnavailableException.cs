namespace IceFire.Grains.Interfaces;

/// <summary>
/// A tenant's dataset cannot be reached in bounded time: its replica group has no leader (no quorum), or the silo
/// holding the leader cannot be reached. Nothing of the batch ran and no reply was written, so the connection can
/// answer each command with <see cref="Reply"/> and carry on.
/// </summary>
public sealed class TenantUnavailableException(string reply, Exception? inner = null) : Exception(reply, inner)
{
    /// <summary>The error reply without the leading '-', starting with its Redis error code (CLUSTERDOWN, TRYAGAIN).</summary>
    public string Reply { get; } = reply;
}
