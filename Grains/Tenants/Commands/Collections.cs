using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>A collection found under a key: its header and the key's expiry.</summary>
internal readonly record struct OpenCollection(CollectionHeader Header, long ExpireAtMs)
{
    public long Id => Header.Id;

    public long Count => Header.Count;
}

/// <summary>What the collection command families share: finding, creating and re-counting a collection.</summary>
internal static class Collections
{
    /// <summary>Member space of hash fields, set members, list elements, and sorted-set member scores.</summary>
    public const byte PrimarySpace = 0;

    /// <summary>
    /// Finds the collection of <paramref name="kind"/> under <paramref name="key"/>. Returns false when the key
    /// is missing, or when it holds another type (then WRONGTYPE is already written and
    /// <paramref name="wrongType"/> is true).
    /// </summary>
    public static bool TryOpen(ref CommandContext ctx, ReadOnlySpan<byte> key, ValueKind kind, out OpenCollection collection, out bool wrongType)
    {
        collection = default;
        wrongType = false;
        StoredValue value;
        var found = ctx.Write is null
            ? ctx.Keyspace.TryGet(ctx.Txn, ctx.Db, key, ctx.NowMs, out value)
            : ctx.Keyspace.TryGetForWrite(ctx.Write, ctx.Db, key, ctx.NowMs, out value);
        if (!found)
        {
            return false;
        }
        if (value.Kind != kind)
        {
            wrongType = true;
            ctx.Reply.WriteRaw(Errors.WrongType);
            return false;
        }
        collection = new OpenCollection(CollectionHeader.Read(value.Payload), value.ExpireAtMs);
        return true;
    }

    /// <summary>
    /// Like <see cref="TryOpen"/> for commands that take either of two kinds (ZUNION and its family read sets
    /// as well as sorted sets); <paramref name="kind"/> says which one the key holds.
    /// </summary>
    public static bool TryOpenEither(ref CommandContext ctx, ReadOnlySpan<byte> key, ValueKind first, ValueKind second,
        out OpenCollection collection, out ValueKind kind, out bool wrongType)
    {
        collection = default;
        wrongType = false;
        StoredValue value;
        var found = ctx.Write is null
            ? ctx.Keyspace.TryGet(ctx.Txn, ctx.Db, key, ctx.NowMs, out value)
            : ctx.Keyspace.TryGetForWrite(ctx.Write, ctx.Db, key, ctx.NowMs, out value);
        kind = value.Kind;
        if (!found)
        {
            return false;
        }
        if (value.Kind != first && value.Kind != second)
        {
            wrongType = true;
            ctx.Reply.WriteRaw(Errors.WrongType);
            return false;
        }
        collection = new OpenCollection(CollectionHeader.Read(value.Payload), value.ExpireAtMs);
        return true;
    }

    /// <summary>Finds the collection for a write, creating an empty one when the key is missing.</summary>
    public static bool TryOpenOrCreate(ref CommandContext ctx, ReadOnlySpan<byte> key, ValueKind kind, out OpenCollection collection)
    {
        if (TryOpen(ref ctx, key, kind, out collection, out var wrongType))
        {
            return true;
        }
        if (wrongType)
        {
            return false;
        }
        var id = ctx.Keyspace.AllocateCollectionId(ctx.Writer);
        collection = new OpenCollection(new CollectionHeader(id, 0), 0);
        return true;
    }

    /// <summary>
    /// Stores the collection's new count: rewrites its header, or deletes the key when the collection is
    /// empty, as Redis deletes an emptied collection (with a "del" event, which follows the command's own).
    /// </summary>
    public static void Save(ref CommandContext ctx, ReadOnlySpan<byte> key, ValueKind kind, in OpenCollection collection, long count)
    {
        if (count == 0)
        {
            ctx.Keyspace.Delete(ctx.Writer, ctx.Db, key, ctx.NowMs);
            ctx.Changed(KeyEvent.Del, key);
            return;
        }
        Span<byte> payload = stackalloc byte[CollectionHeader.Length];
        new CollectionHeader(collection.Id, count).Write(payload);
        ctx.Keyspace.Put(ctx.Writer, ctx.Db, key, kind, collection.ExpireAtMs, payload, keepMembers: true);
        if (kind == ValueKind.ZSet)
        {
            ctx.Blocking?.KeyReady(ctx.Db, key, ValueKind.ZSet);
        }
    }
}
