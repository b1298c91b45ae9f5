namespace IceFire.Grains.Interfaces;

/// <summary>One key a connection watches: where it is and what the tenant said of it at WATCH time.</summary>
/// <param name="Db">The logical database the key was watched in.</param>
/// <param name="Key">The key's bytes.</param>
/// <param name="Version">The tenant's change counter of the key when it was watched.</param>
/// <param name="ExpiredVersion">The counter of changes other than expiry when it was watched.</param>
/// <param name="ExpiredAtWatch">The key's time was already up when it was watched.</param>
public readonly record struct WatchedKey(int Db, byte[] Key, long Version, long ExpiredVersion, bool ExpiredAtWatch);

/// <summary>
/// The keys one connection watches (WATCH). The connection owns it; the tenant fills it while it runs WATCH,
/// checks it at EXEC, and empties it at EXEC, UNWATCH or when the connection goes away, always on its writer
/// while the connection waits for the batch, so the two never touch it at once.
/// </summary>
public sealed class WatchSet
{
    /// <summary>The watched keys, in WATCH order.</summary>
    public List<WatchedKey> Keys { get; } = [];

    /// <summary>Set by the tenant when an EXEC found a watched key changed and ran nothing.</summary>
    public bool Failed { get; set; }
}
