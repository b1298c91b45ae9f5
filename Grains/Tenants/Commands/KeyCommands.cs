using System.Buffers;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>Commands on keys of any type: DEL, EXISTS, TYPE, RENAME, COPY.</summary>
internal static partial class KeyCommands
{
    /// <summary>DEL and UNLINK.</summary>
    public static void Del(ref CommandContext ctx)
    {
        var deleted = 0;
        for (var i = 1; i < ctx.ArgCount; i++)
        {
            if (ctx.Keyspace.Delete(ctx.Writer, ctx.Db, ctx.Arg(i), ctx.NowMs))
            {
                ctx.Changed(KeyEvent.Del, ctx.Arg(i));
                deleted++;
            }
        }
        ctx.Reply.WriteInteger(deleted);
    }

    /// <summary>EXISTS and TOUCH: how many of the arguments name live keys (repeats count again).</summary>
    public static void Exists(ref CommandContext ctx)
    {
        var count = 0;
        for (var i = 1; i < ctx.ArgCount; i++)
        {
            if (ctx.Keyspace.TryGet(ctx.Txn, ctx.Db, ctx.Arg(i), ctx.NowMs, out _))
            {
                count++;
            }
        }
        ctx.Reply.WriteInteger(count);
    }

    public static void Type(ref CommandContext ctx)
    {
        if (ctx.Keyspace.TryGet(ctx.Txn, ctx.Db, ctx.Arg(1), ctx.NowMs, out var value))
        {
            ctx.Reply.WriteSimpleString(ValueKindNames.TypeName(value.Kind));
        }
        else
        {
            ctx.Reply.WriteSimpleString("none"u8);
        }
    }

    /// <summary>RENAME and RENAMENX.</summary>
    public static void Rename(ref CommandContext ctx, bool onlyIfAbsent)
    {
        var source = ctx.Arg(1);
        var destination = ctx.Arg(2);
        if (!ctx.Keyspace.TryGetForWrite(ctx.Writer, ctx.Db, source, ctx.NowMs, out var value))
        {
            ctx.Reply.WriteRaw(Errors.NoSuchKey);
            return;
        }
        if (source.SequenceEqual(destination))
        {
            if (onlyIfAbsent)
            {
                ctx.Reply.WriteInteger(0);
            }
            else
            {
                ctx.Reply.WriteRaw("+OK\r\n"u8);
            }
            return;
        }
        var detached = DetachedValue.From(value);
        try
        {
            // May delete an expired destination: a write, after which value's span is stale.
            if (onlyIfAbsent && ctx.Keyspace.TryGetForWrite(ctx.Writer, ctx.Db, destination, ctx.NowMs, out _))
            {
                ctx.Reply.WriteInteger(0);
                return;
            }
            detached.PutAs(ref ctx, ctx.Db, destination);
        }
        finally
        {
            detached.Dispose();
        }
        // The collection (if it is one) now lives under the destination: keep its members.
        ctx.Keyspace.DeleteKeyOnly(ctx.Writer, ctx.Db, source);
        ctx.Changed(KeyEvent.RenameFrom, source);
        ctx.Changed(KeyEvent.RenameTo, destination);
        if (onlyIfAbsent)
        {
            ctx.Reply.WriteInteger(1);
        }
        else
        {
            ctx.Reply.WriteRaw("+OK\r\n"u8);
        }
    }

    public static void Copy(ref CommandContext ctx)
    {
        var targetDb = ctx.Db;
        var replace = false;
        for (var i = 3; i < ctx.ArgCount; i++)
        {
            var a = ctx.Arg(i);
            if (Args.Is(a, "REPLACE"u8))
            {
                replace = true;
            }
            else if (Args.Is(a, "DB"u8) && i + 1 < ctx.ArgCount)
            {
                if (!Args.TryParseInt32(ctx.Arg(++i), out targetDb))
                {
                    ctx.Reply.WriteRaw(Errors.NotInteger);
                    return;
                }
                if (targetDb is < 0 or >= RedisKeyspace.DatabaseCount)
                {
                    ctx.Reply.WriteRaw(Errors.DbIndexOutOfRange);
                    return;
                }
            }
            else
            {
                ctx.Reply.WriteRaw(Errors.Syntax);
                return;
            }
        }
        var source = ctx.Arg(1);
        var destination = ctx.Arg(2);
        if (targetDb == ctx.Db && source.SequenceEqual(destination))
        {
            ctx.Reply.WriteRaw(Errors.SameObject);
            return;
        }
        if (!ctx.Keyspace.TryGetForWrite(ctx.Writer, ctx.Db, source, ctx.NowMs, out var value))
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        var detached = DetachedValue.From(value);
        try
        {
            // Looking up the destination may delete it when expired, and REPLACE deletes it: writes
            // that can move the source's bytes on a page this transaction already changed.
            if (ctx.Keyspace.TryGetForWrite(ctx.Writer, targetDb, destination, ctx.NowMs, out _))
            {
                if (!replace)
                {
                    ctx.Reply.WriteInteger(0);
                    return;
                }
                ctx.Keyspace.Delete(ctx.Writer, targetDb, destination, ctx.NowMs);
            }
            detached.CloneMembers(ref ctx);
            detached.PutAs(ref ctx, targetDb, destination);
        }
        finally
        {
            detached.Dispose();
        }
        ctx.Changed(targetDb, KeyEvent.CopyTo, destination);
        ctx.Reply.WriteInteger(1);
    }

    /// <summary>
    /// A value copied out of the map. Spans from a read in a write transaction point into pages the
    /// transaction may already have changed; the next write (even a delete) can shift bytes on such a
    /// page, so a value that must outlive other writes is copied first.
    /// </summary>
    private readonly struct DetachedValue : IDisposable
    {
        private readonly byte[] _buffer;
        private readonly int _length;
        private readonly ValueKind _kind;
        private readonly long _expireAtMs;

        private DetachedValue(byte[] buffer, int length, ValueKind kind, long expireAtMs)
        {
            _buffer = buffer;
            _length = length;
            _kind = kind;
            _expireAtMs = expireAtMs;
        }

        public static DetachedValue From(in StoredValue value)
        {
            var payload = value.Payload;
            var buffer = ArrayPool<byte>.Shared.Rent(payload.Length);
            payload.CopyTo(buffer);
            return new DetachedValue(buffer, payload.Length, value.Kind, value.ExpireAtMs);
        }

        /// <summary>Writes the value (kind, payload and expiry) under <paramref name="key"/>.</summary>
        public void PutAs(ref CommandContext ctx, int db, ReadOnlySpan<byte> key)
        {
            ctx.Keyspace.Put(ctx.Writer, db, key, _kind, _expireAtMs, _buffer.AsSpan(0, _length));
            // A list or sorted set renamed or copied onto a key may wake the clients blocked on it.
            ctx.Blocking?.KeyReady(db, key, _kind);
        }

        /// <summary>For a collection, copies its members to a new collection and points this value at it (COPY).</summary>
        public void CloneMembers(ref CommandContext ctx)
        {
            if (_kind == ValueKind.String)
            {
                return;
            }
            var header = CollectionHeader.Read(_buffer.AsSpan(0, _length));
            var id = ctx.Keyspace.AllocateCollectionId(ctx.Writer);
            ctx.Keyspace.CopyMembers(ctx.Writer, header.Id, id);
            (header with { Id = id }).Write(_buffer.AsSpan(0, _length));
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
    }
}
