using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>A list found under a key, with what it takes to read and change it by position.</summary>
internal struct OpenList
{
    public ListHeader Header;
    public long ExpireAtMs;

    public readonly long Count => Header.Count;

    /// <summary>The position of the element at 0-based index <paramref name="index"/> from the head.</summary>
    public readonly long PositionOf(long index) => Header.Head + index;
}

/// <summary>Element storage of lists: positions are members of the list's collection.</summary>
internal static class ListAccess
{
    private const byte Space = Collections.PrimarySpace;

    public static bool TryOpen(ref CommandContext ctx, ReadOnlySpan<byte> key, out OpenList list, out bool wrongType)
    {
        list = default;
        wrongType = false;
        StoredValue value;
        var found = ctx.Write is null
            ? ctx.Keyspace.TryGet(ctx.Txn, ctx.Db, key, ctx.NowMs, out value)
            : ctx.Keyspace.TryGetForWrite(ctx.Write, ctx.Db, key, ctx.NowMs, out value);
        if (!found)
        {
            return false;
        }
        if (value.Kind != ValueKind.List)
        {
            wrongType = true;
            ctx.Reply.WriteRaw(Errors.WrongType);
            return false;
        }
        list = new OpenList { Header = ListHeader.Read(value.Payload), ExpireAtMs = value.ExpireAtMs };
        return true;
    }

    public static bool TryOpenOrCreate(ref CommandContext ctx, ReadOnlySpan<byte> key, out OpenList list)
    {
        if (TryOpen(ref ctx, key, out list, out var wrongType))
        {
            return true;
        }
        if (wrongType)
        {
            return false;
        }
        list = new OpenList { Header = new ListHeader(ctx.Keyspace.AllocateCollectionId(ctx.Writer), 0, 0, -1) };
        return true;
    }

    /// <summary>Stores the header, or deletes the key when the list is empty.</summary>
    public static void Save(ref CommandContext ctx, ReadOnlySpan<byte> key, in OpenList list)
    {
        if (list.Header.Count == 0)
        {
            ctx.Keyspace.Delete(ctx.Writer, ctx.Db, key, ctx.NowMs);
            ctx.Changed(KeyEvent.Del, key);
            return;
        }
        Span<byte> payload = stackalloc byte[ListHeader.Length];
        list.Header.Write(payload);
        ctx.Keyspace.Put(ctx.Writer, ctx.Db, key, ValueKind.List, list.ExpireAtMs, payload, keepMembers: true);
        ctx.Blocking?.KeyReady(ctx.Db, key, ValueKind.List);
    }

    public static bool TryRead(ref CommandContext ctx, in OpenList list, long position, out ReadOnlySpan<byte> element)
    {
        Span<byte> member = stackalloc byte[8];
        ListHeader.EncodePosition(position, member);
        return ctx.Keyspace.TryGetMember(ctx.Txn, list.Header.Id, Space, member, out element);
    }

    public static void Write(ref CommandContext ctx, in OpenList list, long position, ReadOnlySpan<byte> element)
    {
        Span<byte> member = stackalloc byte[8];
        ListHeader.EncodePosition(position, member);
        ctx.Keyspace.PutMember(ctx.Writer, list.Header.Id, Space, member, element);
    }

    public static void Remove(ref CommandContext ctx, in OpenList list, long position)
    {
        Span<byte> member = stackalloc byte[8];
        ListHeader.EncodePosition(position, member);
        ctx.Keyspace.DeleteMember(ctx.Writer, list.Header.Id, Space, member);
    }

    public static void PushLeft(ref CommandContext ctx, ref OpenList list, ReadOnlySpan<byte> element)
    {
        var h = list.Header;
        var position = h.Count == 0 ? 0 : h.Head - 1;
        Write(ref ctx, list, position, element);
        list.Header = h with { Head = position, Tail = h.Count == 0 ? position : h.Tail, Count = h.Count + 1 };
    }

    public static void PushRight(ref CommandContext ctx, ref OpenList list, ReadOnlySpan<byte> element)
    {
        var h = list.Header;
        var position = h.Count == 0 ? 0 : h.Tail + 1;
        Write(ref ctx, list, position, element);
        list.Header = h with { Tail = position, Head = h.Count == 0 ? position : h.Head, Count = h.Count + 1 };
    }

    /// <summary>Removes and returns the element at one end; the caller has checked the list is not empty.</summary>
    public static byte[] Pop(ref CommandContext ctx, ref OpenList list, bool left)
    {
        var h = list.Header;
        var position = left ? h.Head : h.Tail;
        TryRead(ref ctx, list, position, out var element);
        var copy = element.ToArray();
        Remove(ref ctx, list, position);
        list.Header = left ? h with { Head = h.Head + 1, Count = h.Count - 1 } : h with { Tail = h.Tail - 1, Count = h.Count - 1 };
        return copy;
    }

    /// <summary>Every element from the head, copied out.</summary>
    public static List<byte[]> ReadAll(ref CommandContext ctx, in OpenList list)
    {
        var elements = new List<byte[]>((int)Math.Min(list.Count, 1 << 20));
        using var cursor = ctx.Keyspace.OpenMembers(ctx.Txn, list.Header.Id, Space, default, out var more);
        for (; more && RedisKeyspace.IsInSpace(cursor.Key, list.Header.Id, Space); more = cursor.Next())
        {
            elements.Add(RedisKeyspace.MemberPayload(cursor.Key, cursor.Value).ToArray());
        }
        return elements;
    }

    /// <summary>Replaces the whole list with <paramref name="elements"/>, positions starting at the old head.</summary>
    public static void Rewrite(ref CommandContext ctx, ref OpenList list, List<byte[]> elements)
    {
        ctx.Keyspace.DeleteAllMembers(ctx.Writer, list.Header.Id);
        var head = list.Header.Head;
        for (var i = 0; i < elements.Count; i++)
        {
            Write(ref ctx, list, head + i, elements[i]);
        }
        list.Header = list.Header with { Count = elements.Count, Tail = head + elements.Count - 1 };
    }
}
