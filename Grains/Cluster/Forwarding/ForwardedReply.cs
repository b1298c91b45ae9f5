using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Cluster.Forwarding;

/// <summary>The answer to <see cref="ITenantCalls.ExecuteAsync"/>.</summary>
/// <param name="Refusal">Why the replica did not run the batch, or null when it ran.</param>
/// <param name="Replies">The replies as RESP bytes in the connection's dialect, in command order.</param>
/// <param name="Watches">The connection's watched keys as the leader left them, when the request carried some.</param>
[GenerateSerializer, Immutable, Alias("IceFire.ForwardedReply")]
public sealed record ForwardedReply(
    [property: Id(0)] TenantRefusal? Refusal,
    [property: Id(1)] byte[] Replies,
    [property: Id(2)] ForwardedWatches? Watches)
{
    /// <summary>A refused batch.</summary>
    public static ForwardedReply Refused(TenantRefusal refusal) => new(refusal, [], null);

    /// <summary>Writes the replies to <paramref name="batch"/> and brings its watches up to date with the leader's.</summary>
    public void ApplyTo(CommandBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (Watches is { } remote && batch.Watches is { } local)
        {
            local.Keys.Clear();
            foreach (var key in remote.Keys)
            {
                local.Keys.Add(key.ToWatchedKey());
            }
            local.Failed = remote.Failed;
        }
        batch.Replies.WriteRaw(Replies);
    }
}

/// <summary>A connection's watched keys (<see cref="WatchSet"/>) between silos.</summary>
/// <param name="Failed">An EXEC found a watched key changed (<see cref="WatchSet.Failed"/>).</param>
/// <param name="Keys">The keys, in WATCH order.</param>
[GenerateSerializer, Immutable, Alias("IceFire.ForwardedWatches")]
public sealed record ForwardedWatches([property: Id(0)] bool Failed, [property: Id(1)] ForwardedWatchedKey[] Keys)
{
    /// <summary>A copy of <paramref name="watches"/>, or null.</summary>
    public static ForwardedWatches? From(WatchSet? watches)
    {
        if (watches is null)
        {
            return null;
        }
        var keys = new ForwardedWatchedKey[watches.Keys.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            var key = watches.Keys[i];
            keys[i] = new ForwardedWatchedKey(key.Db, key.Key, key.Version, key.ExpiredVersion, key.ExpiredAtWatch);
        }
        return new ForwardedWatches(watches.Failed, keys);
    }

    /// <summary>A watch set holding these keys.</summary>
    public WatchSet ToWatchSet()
    {
        var watches = new WatchSet { Failed = Failed };
        foreach (var key in Keys)
        {
            watches.Keys.Add(key.ToWatchedKey());
        }
        return watches;
    }
}

/// <summary>One watched key (<see cref="WatchedKey"/>) between silos.</summary>
[GenerateSerializer, Immutable, Alias("IceFire.ForwardedWatchedKey")]
public readonly record struct ForwardedWatchedKey(
    [property: Id(0)] int Db,
    [property: Id(1)] byte[] Key,
    [property: Id(2)] long Version,
    [property: Id(3)] long ExpiredVersion,
    [property: Id(4)] bool ExpiredAtWatch)
{
    public WatchedKey ToWatchedKey() => new(Db, Key, Version, ExpiredVersion, ExpiredAtWatch);
}

/// <summary>The answer to <see cref="ITenantCalls.UnblockAsync"/>.</summary>
/// <param name="Refusal">Why the replica did not answer, or null.</param>
/// <param name="Woken">The command was waiting and is woken.</param>
[GenerateSerializer, Immutable, Alias("IceFire.UnblockReply")]
public sealed record UnblockReply([property: Id(0)] TenantRefusal? Refusal, [property: Id(1)] bool Woken);

/// <summary>The answer to <see cref="ITenantCalls.GetInfoAsync"/>: a <see cref="TenantInfo"/>, field by field.</summary>
/// <param name="Refusal">Why the replica did not answer, or null.</param>
/// <param name="Keyspace">Each non-empty logical database's key counts (<see cref="TenantInfo.Keyspace"/>).</param>
/// <param name="UsedBytes">See <see cref="TenantInfo.UsedBytes"/>.</param>
/// <param name="LastCommitUnixSeconds">See <see cref="TenantInfo.LastCommitUnixSeconds"/>.</param>
/// <param name="Commits">See <see cref="TenantInfo.Commits"/>.</param>
/// <param name="CommandsWritten">See <see cref="TenantInfo.CommandsWritten"/>.</param>
/// <param name="ExpiredKeys">See <see cref="TenantInfo.ExpiredKeys"/>.</param>
/// <param name="ChecksumFailures">See <see cref="TenantInfo.ChecksumFailures"/>.</param>
[GenerateSerializer, Immutable, Alias("IceFire.TenantInfoReply")]
public sealed record TenantInfoReply(
    [property: Id(0)] TenantRefusal? Refusal,
    [property: Id(1)] KeyspaceCount[] Keyspace,
    [property: Id(2)] long UsedBytes,
    [property: Id(3)] long LastCommitUnixSeconds,
    [property: Id(4)] long Commits,
    [property: Id(5)] long CommandsWritten,
    [property: Id(6)] long ExpiredKeys,
    [property: Id(7)] long ChecksumFailures)
{
    /// <summary>A refused query.</summary>
    public static TenantInfoReply Refused(TenantRefusal refusal) => new(refusal, [], 0, 0, 0, 0, 0, 0);

    /// <summary>The answer carrying <paramref name="info"/>.</summary>
    public static TenantInfoReply From(TenantInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var keyspace = new KeyspaceCount[info.Keyspace.Count];
        for (var i = 0; i < keyspace.Length; i++)
        {
            var (db, keys, expires) = info.Keyspace[i];
            keyspace[i] = new KeyspaceCount(db, keys, expires);
        }
        return new TenantInfoReply(null, keyspace, info.UsedBytes, info.LastCommitUnixSeconds, info.Commits, info.CommandsWritten,
            info.ExpiredKeys, info.ChecksumFailures);
    }

    /// <summary>The statistics this answer carries.</summary>
    public TenantInfo ToInfo()
    {
        var keyspace = new List<(int Db, long Keys, long Expires)>(Keyspace.Length);
        foreach (var count in Keyspace)
        {
            keyspace.Add((count.Db, count.Keys, count.Expires));
        }
        return new TenantInfo(keyspace, UsedBytes, LastCommitUnixSeconds, Commits, CommandsWritten, ExpiredKeys, ChecksumFailures);
    }
}

/// <summary>One logical database's line of INFO keyspace.</summary>
[GenerateSerializer, Immutable, Alias("IceFire.KeyspaceCount")]
public readonly record struct KeyspaceCount([property: Id(0)] int Db, [property: Id(1)] long Keys, [property: Id(2)] long Expires);
