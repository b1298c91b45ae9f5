using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

internal static partial class StringCommands
{
    public static void Append(ref CommandContext ctx)
    {
        var key = ctx.Arg(1);
        var suffix = ctx.Arg(2);
        if (!ctx.Keyspace.TryGetForWrite(ctx.Writer, ctx.Db, key, ctx.NowMs, out var value))
        {
            ctx.Keyspace.Put(ctx.Writer, ctx.Db, key, ValueKind.String, 0, suffix);
            ctx.Changed(KeyEvent.Append, key);
            ctx.Reply.WriteInteger(suffix.Length);
            return;
        }
        if (value.Kind != ValueKind.String)
        {
            ctx.Reply.WriteRaw(Errors.WrongType);
            return;
        }
        var total = (long)value.Payload.Length + suffix.Length;
        if (total > MaxStringLength)
        {
            ctx.Reply.WriteRaw(Errors.StringTooLong);
            return;
        }
        Rewrite(ref ctx, key, value.ExpireAtMs, value.Payload, (int)total, value.Payload.Length, suffix);
        ctx.Changed(KeyEvent.Append, key);
        ctx.Reply.WriteInteger(total);
    }

    public static void StrLen(ref CommandContext ctx)
    {
        if (!ctx.Keyspace.TryGet(ctx.Txn, ctx.Db, ctx.Arg(1), ctx.NowMs, out var value))
        {
            ctx.Reply.WriteInteger(0);
        }
        else if (value.Kind != ValueKind.String)
        {
            ctx.Reply.WriteRaw(Errors.WrongType);
        }
        else
        {
            ctx.Reply.WriteInteger(value.Payload.Length);
        }
    }

    public static void GetRange(ref CommandContext ctx)
    {
        if (!Args.TryParseInt64(ctx.Arg(2), out var start) || !Args.TryParseInt64(ctx.Arg(3), out var end))
        {
            ctx.Reply.WriteRaw(Errors.NotInteger);
            return;
        }
        if (!ctx.Keyspace.TryGet(ctx.Txn, ctx.Db, ctx.Arg(1), ctx.NowMs, out var value))
        {
            ctx.Reply.WriteBulk(default);
            return;
        }
        if (value.Kind != ValueKind.String)
        {
            ctx.Reply.WriteRaw(Errors.WrongType);
            return;
        }
        var s = value.Payload;
        long length = s.Length;
        // Redis' getrangeCommand, step by step.
        if (start < 0 && end < 0 && start > end)
        {
            ctx.Reply.WriteBulk(default);
            return;
        }
        if (start < 0)
        {
            start = length + start;
        }
        if (end < 0)
        {
            end = length + end;
        }
        if (start < 0)
        {
            start = 0;
        }
        if (end < 0)
        {
            end = 0;
        }
        if ((ulong)end >= (ulong)length)
        {
            end = length - 1;
        }
        if (start > end || length == 0)
        {
            ctx.Reply.WriteBulk(default);
            return;
        }
        ctx.Reply.WriteBulk(s.Slice((int)start, (int)(end - start + 1)));
    }

    public static void SetRange(ref CommandContext ctx)
    {
        if (!Args.TryParseInt64(ctx.Arg(2), out var offset))
        {
            ctx.Reply.WriteRaw(Errors.NotInteger);
            return;
        }
        if (offset < 0)
        {
            ctx.Reply.WriteRaw(Errors.OffsetOutOfRange);
            return;
        }
        var key = ctx.Arg(1);
        var patch = ctx.Arg(3);
        var found = ctx.Keyspace.TryGetForWrite(ctx.Writer, ctx.Db, key, ctx.NowMs, out var value);
        if (found && value.Kind != ValueKind.String)
        {
            ctx.Reply.WriteRaw(Errors.WrongType);
            return;
        }
        var existing = found ? value.Payload : default;
        if (patch.Length == 0)
        {
            ctx.Reply.WriteInteger(existing.Length);
            return;
        }
        if (offset + patch.Length > MaxStringLength)
        {
            ctx.Reply.WriteRaw(Errors.StringTooLong);
            return;
        }
        var total = (int)Math.Max(existing.Length, offset + patch.Length);
        Rewrite(ref ctx, key, found ? value.ExpireAtMs : 0, existing, total, (int)offset, patch);
        ctx.Changed(KeyEvent.SetRange, key);
        ctx.Reply.WriteInteger(total);
    }

    /// <summary>Writes a new string of <paramref name="total"/> bytes: the old bytes, zeros, then the patch at <paramref name="offset"/>.</summary>
    private static void Rewrite(ref CommandContext ctx, ReadOnlySpan<byte> key, long expireAt, ReadOnlySpan<byte> existing,
        int total, int offset, ReadOnlySpan<byte> patch)
    {
        // The old bytes live in the map and a write may move them: copy before writing.
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(total);
        try
        {
            var bytes = buffer.AsSpan(0, total);
            bytes.Clear();
            existing.CopyTo(bytes);
            patch.CopyTo(bytes[offset..]);
            ctx.Keyspace.Put(ctx.Writer, ctx.Db, key, ValueKind.String, expireAt, bytes);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
