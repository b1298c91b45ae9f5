using System.Text;
using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants;

/// <summary>
/// What a write did to a key, named as Redis names its keyspace events. Every change touches the key's
/// watches; the event is published when its class is enabled by notify-keyspace-events. The values travel in the
/// tenant-log stream's <see cref="Streams.KeyChange"/>: new events are added at the end.
/// </summary>
public enum KeyEvent : byte
{
    New,
    Expired,
    Del,
    Expire,
    Persist,
    RenameFrom,
    RenameTo,
    CopyTo,
    Set,
    SetRange,
    Append,
    IncrBy,
    IncrByFloat,
    SetBit,
    LPush,
    RPush,
    LPop,
    RPop,
    LInsert,
    LSet,
    LRem,
    LTrim,
    HSet,
    HDel,
    HIncrBy,
    HIncrByFloat,
    SAdd,
    SRem,
    SPop,
    SInterStore,
    SUnionStore,
    SDiffStore,
    ZAdd,
    ZIncr,
    ZRem,
    ZRemRangeByScore,
    ZRemRangeByRank,
    ZRemRangeByLex,
    ZPopMin,
    ZPopMax,
    ZUnionStore,
    ZInterStore,
    ZDiffStore,
    ZRangeStore,
    PfAdd,
}

/// <summary>Each event's channel name and class.</summary>
public static class KeyEvents
{
    private static readonly (byte[] Name, KeyspaceEventFlags Class)[] Table = Build();

    /// <summary>The event's name, as Redis publishes it.</summary>
    public static byte[] Name(KeyEvent e) => Table[(int)e].Name;

    /// <summary>The notify-keyspace-events class the event belongs to.</summary>
    public static KeyspaceEventFlags Class(KeyEvent e) => Table[(int)e].Class;

    private static (byte[], KeyspaceEventFlags)[] Build()
    {
        var table = new (byte[], KeyspaceEventFlags)[Enum.GetValues<KeyEvent>().Length];
        void Add(KeyEvent e, string name, KeyspaceEventFlags type) => table[(int)e] = (Encoding.ASCII.GetBytes(name), type);
        const KeyspaceEventFlags G = KeyspaceEventFlags.Generic, S = KeyspaceEventFlags.String, L = KeyspaceEventFlags.List,
            T = KeyspaceEventFlags.Set, H = KeyspaceEventFlags.Hash, Z = KeyspaceEventFlags.SortedSet;
        Add(KeyEvent.New, "new", KeyspaceEventFlags.New);
        Add(KeyEvent.Expired, "expired", KeyspaceEventFlags.Expired);
        Add(KeyEvent.Del, "del", G);
        Add(KeyEvent.Expire, "expire", G);
        Add(KeyEvent.Persist, "persist", G);
        Add(KeyEvent.RenameFrom, "rename_from", G);
        Add(KeyEvent.RenameTo, "rename_to", G);
        Add(KeyEvent.CopyTo, "copy_to", G);
        Add(KeyEvent.Set, "set", S);
        Add(KeyEvent.SetRange, "setrange", S);
        Add(KeyEvent.Append, "append", S);
        Add(KeyEvent.IncrBy, "incrby", S);
        Add(KeyEvent.IncrByFloat, "incrbyfloat", S);
        Add(KeyEvent.SetBit, "setbit", S);
        Add(KeyEvent.LPush, "lpush", L);
        Add(KeyEvent.RPush, "rpush", L);
        Add(KeyEvent.LPop, "lpop", L);
        Add(KeyEvent.RPop, "rpop", L);
        Add(KeyEvent.LInsert, "linsert", L);
        Add(KeyEvent.LSet, "lset", L);
        Add(KeyEvent.LRem, "lrem", L);
        Add(KeyEvent.LTrim, "ltrim", L);
        Add(KeyEvent.HSet, "hset", H);
        Add(KeyEvent.HDel, "hdel", H);
        Add(KeyEvent.HIncrBy, "hincrby", H);
        Add(KeyEvent.HIncrByFloat, "hincrbyfloat", H);
        Add(KeyEvent.SAdd, "sadd", T);
        Add(KeyEvent.SRem, "srem", T);
        Add(KeyEvent.SPop, "spop", T);
        Add(KeyEvent.SInterStore, "sinterstore", T);
        Add(KeyEvent.SUnionStore, "sunionstore", T);
        Add(KeyEvent.SDiffStore, "sdiffstore", T);
        Add(KeyEvent.ZAdd, "zadd", Z);
        Add(KeyEvent.ZIncr, "zincr", Z);
        Add(KeyEvent.ZRem, "zrem", Z);
        Add(KeyEvent.ZRemRangeByScore, "zremrangebyscore", Z);
        Add(KeyEvent.ZRemRangeByRank, "zremrangebyrank", Z);
        Add(KeyEvent.ZRemRangeByLex, "zremrangebylex", Z);
        Add(KeyEvent.ZPopMin, "zpopmin", Z);
        Add(KeyEvent.ZPopMax, "zpopmax", Z);
        Add(KeyEvent.ZUnionStore, "zunionstore", Z);
        Add(KeyEvent.ZInterStore, "zinterstore", Z);
        Add(KeyEvent.ZDiffStore, "zdiffstore", Z);
        Add(KeyEvent.ZRangeStore, "zrangestore", Z);
        Add(KeyEvent.PfAdd, "pfadd", S);
        return table;
    }
}
