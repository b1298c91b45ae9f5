namespace IceFire.Grains.Cluster.Sql;

/// <summary>
/// A session's backend on another silo is gone: the silo cannot be reached, the call broke or was abandoned because
/// leadership moved, or the session is no longer open there. <see cref="Sent"/> tells whether the statement may have
/// run, so a write whose answer was lost is never run twice.
/// </summary>
internal sealed class SqlBackendLostException(bool sent, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>False only when the request certainly did not run on the leader.</summary>
    public bool Sent { get; } = sent;
}
