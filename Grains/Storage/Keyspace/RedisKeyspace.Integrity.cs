using System.Collections.Concurrent;
using IceFire.Grains.Storage.Lmdb;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IceFire.Grains.Storage.Keyspace;

/// <summary>
/// What the keyspace does when a record fails its checksum (<see cref="StoredValueChecksumException"/>): it counts
/// every failure (INFO's <c>icefire_checksum_failures</c>) and logs each damaged key once, with the tenant and the
/// database, so a client that asks again and again does not flood the log.
/// </summary>
public sealed partial class RedisKeyspace
{
    /// <summary>Most distinct damaged keys remembered as logged; beyond it, failures are counted but no longer logged.</summary>
    private const int MaxLoggedKeys = 1024;

    private readonly ConcurrentDictionary<(int Db, string Key), byte> _loggedDamage = new();
    private long _checksumFailures;

    /// <summary>The tenant's name, for the damage log.</summary>
    public string TenantName { get; set; } = "";

    /// <summary>Where damage is logged (one entry per damaged key).</summary>
    public ILogger DamageLogger { get; set; } = NullLogger.Instance;

    /// <summary>Records that failed their checksum when read, since the keyspace was opened.</summary>
    public long ChecksumFailures => Interlocked.Read(ref _checksumFailures);

    /// <summary>
    /// Counts a checksum failure met by a command of logical database <paramref name="commandDb"/> in
    /// <paramref name="txn"/>, logs it once per key, and returns the Redis key it concerns (for a member record, the
    /// key of the collection that holds it, found by a walk of the keys: this is the failure path only).
    /// </summary>
    public byte[] ReportChecksumFailure(LmdbTransaction txn, int commandDb, StoredValueChecksumException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Interlocked.Increment(ref _checksumFailures);
        var db = error.Database >= 0 ? error.Database : commandDb;
        var key = error.Key;
        if (key is null)
        {
            (db, key) = FindCollection(txn, commandDb, error.CollectionId);
        }
        var printable = StoredValueChecksumException.Printable(key);
        if (DamageLogger.IsEnabled(LogLevel.Error) && _loggedDamage.Count < MaxLoggedKeys && _loggedDamage.TryAdd((db, printable), 0))
        {
            var what = error.Key is null ? $"a member of collection {error.CollectionId}" : "its value";
            KeyspaceLog.ChecksumFailed(DamageLogger, TenantName, db, printable, what);
        }
        return key;
    }

    /// <summary>The database and key of the collection <paramref name="id"/>, looked for in <paramref name="first"/> first.</summary>
    private (int Db, byte[] Key) FindCollection(LmdbTransaction txn, int first, long id)
    {
        for (var i = 0; i < DatabaseCount; i++)
        {
            var db = (first + i) % DatabaseCount;
            using var cursor = txn.OpenCursor(_keys[db]);
            for (var more = cursor.First(); more; more = cursor.Next())
            {
                if (StoredValue.TryRead(cursor.Key, cursor.Value, out var value) && value.Kind != ValueKind.String &&
                    value.Payload.Length >= CollectionHeader.Length && CollectionHeader.Read(value.Payload).Id == id)
                {
                    return (db, DecodeKey(cursor.Key, value).ToArray());
                }
            }
        }
        return (first, System.Text.Encoding.ASCII.GetBytes($"(collection {id})"));
    }
}

/// <summary>What a keyspace reports about its own data.</summary>
internal static partial class KeyspaceLog
{
    [LoggerMessage(1, LogLevel.Error, "tenant '{Tenant}' db {Db} key '{Key}': {What} failed its checksum; the data directory is damaged " +
        "(the key answers an error until it is restored; `icefire check --data DIR` lists every damaged record)")]
    public static partial void ChecksumFailed(ILogger logger, string tenant, int db, string key, string what);
}
