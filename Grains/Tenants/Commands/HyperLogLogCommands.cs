using System.Buffers;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>
/// PFADD, PFCOUNT and PFMERGE over Redis' own HyperLogLog strings (<see cref="HyperLogLog"/>), following redis-server
/// 7.0's hyperloglog.c: the same checks in the same order, the same bytes stored, the same replies and events.
/// </summary>
/// <remarks>
/// PFCOUNT of one key stores the estimate in the value's header when the cached one is stale, so GET answers as in
/// Redis. That is a write: the command table routes PFCOUNT through the tenant's log (<see cref="CommandFlags.Logged"/>),
/// and every replica, applying it at the same point of the log, computes the same estimate and stores the same bytes.
/// </remarks>
internal static partial class HyperLogLogCommands
{
    private static ReadOnlySpan<byte> NotHyperLogLog => "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n"u8;
    private static ReadOnlySpan<byte> Corrupted => "-INVALIDOBJ Corrupted HLL object detected\r\n"u8;

    /// <summary>PFADD key [element ...]: 1 when a register grew or the key was created, else 0; keeps the key's TTL.</summary>
    public static void PfAdd(ref CommandContext ctx)
    {
        var key = ctx.Arg(1);
        var txn = ctx.Writer;
        var found = ctx.Keyspace.TryGetForWrite(txn, ctx.Db, key, ctx.NowMs, out var value);
        if (found && !IsHyperLogLogOrReply(ref ctx, value))
        {
            return;
        }
        var expireAtMs = found ? value.ExpireAtMs : 0;
        var hll = found ? HllBuffer.CopyOf(value.Payload) : HllBuffer.Empty();
        try
        {
            var updated = !found;
            for (var i = 2; i < ctx.ArgCount; i++)
            {
                switch (HyperLogLog.Add(ref hll, ctx.Arg(i)))
                {
                    case 1:
                        updated = true;
                        break;
                    case -1:
                        // Redis changed the value in place up to here, and neither signals nor notifies the change.
                        if (updated)
                        {
                            ctx.Keyspace.Put(txn, ctx.Db, key, ValueKind.String, expireAtMs, hll.Span);
                        }
                        ctx.Reply.WriteRaw(Corrupted);
                        return;
                }
            }
            if (updated)
            {
                HyperLogLog.InvalidateCache(hll.Span);
                ctx.Keyspace.Put(txn, ctx.Db, key, ValueKind.String, expireAtMs, hll.Span);
                ctx.Changed(KeyEvent.PfAdd, key);
            }
            ctx.Reply.WriteInteger(updated ? 1 : 0);
        }
        finally
        {
            hll.Dispose();
        }
    }

    /// <summary>
    /// PFCOUNT key [key ...]: one key answers its cached estimate, or computes and caches it; several keys answer the
    /// estimate of their union and change nothing. A missing key counts as an empty HyperLogLog.
    /// </summary>
    public static void PfCount(ref CommandContext ctx)
    {
        if (ctx.ArgCount > 2)
        {
            CountUnion(ref ctx);
            return;
        }
        var key = ctx.Arg(1);
        if (!ctx.Keyspace.TryGet(ctx.Txn, ctx.Db, key, ctx.NowMs, out var value))
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        if (!IsHyperLogLogOrReply(ref ctx, value))
        {
            return;
        }
        var payload = value.Payload;
        if (HyperLogLog.IsCacheValid(payload))
        {
            ctx.Reply.WriteInteger((long)HyperLogLog.CachedCardinality(payload));
            return;
        }
        var cardinality = HyperLogLog.Count(payload, out var invalid);
        if (invalid)
        {
            ctx.Reply.WriteRaw(Corrupted);
            return;
        }
        if (ctx.Write is { } txn)
        {
            var copy = ArrayPool<byte>.Shared.Rent(payload.Length);
            try
            {
                var updated = copy.AsSpan(0, payload.Length);
                payload.CopyTo(updated);
                HyperLogLog.SetCachedCardinality(updated, cardinality);
                ctx.Keyspace.Put(txn, ctx.Db, key, ValueKind.String, value.ExpireAtMs, updated);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
            // signalModifiedKey without a keyspace event, as Redis does: a WATCH of the key fails.
            ctx.Events?.Watches.Touch(ctx.Db, key);
        }
        ctx.Reply.WriteInteger((long)cardinality);
    }

    /// <summary>PFMERGE destkey [sourcekey ...]: destkey (itself a source) becomes the union; dense when any source is.</summary>
    public static void PfMerge(ref CommandContext ctx)
    {
        var txn = ctx.Writer;
        var max = ArrayPool<byte>.Shared.Rent(HyperLogLog.Registers);
        var hll = default(HllBuffer);
        try
        {
            var registers = max.AsSpan(0, HyperLogLog.Registers);
            registers.Clear();
            var useDense = false;
            for (var i = 1; i < ctx.ArgCount; i++)
            {
                // Each source is merged before the next lookup, which may expire a key and move the map under a span.
                if (!ctx.Keyspace.TryGetForWrite(txn, ctx.Db, ctx.Arg(i), ctx.NowMs, out var source))
                {
                    continue;
                }
                if (!IsHyperLogLogOrReply(ref ctx, source))
                {
                    return;
                }
                useDense |= source.Payload[4] == HyperLogLog.Dense;
                if (!HyperLogLog.TryMerge(registers, source.Payload))
                {
                    ctx.Reply.WriteRaw(Corrupted);
                    return;
                }
            }
            var key = ctx.Arg(1);
            var found = ctx.Keyspace.TryGetForWrite(txn, ctx.Db, key, ctx.NowMs, out var destination);
            // A destination that exists passed the checks above as the first source.
            hll = found ? HllBuffer.CopyOf(destination.Payload) : HllBuffer.Empty();
            var expireAtMs = found ? destination.ExpireAtMs : 0;
            if (useDense && !HyperLogLog.TryToDense(ref hll))
            {
                ctx.Reply.WriteRaw(Corrupted);
                return;
            }
            for (var i = 0; i < HyperLogLog.Registers; i++)
            {
                if (registers[i] == 0)
                {
                    continue;
                }
                if (hll.Bytes[4] == HyperLogLog.Dense)
                {
                    HyperLogLog.DenseSet(hll.Bytes.AsSpan(HyperLogLog.HeaderSize, HyperLogLog.DenseSize - HyperLogLog.HeaderSize), i, registers[i]);
                }
                else
                {
                    HyperLogLog.SparseSet(ref hll, i, registers[i]);
                }
            }
            HyperLogLog.InvalidateCache(hll.Span);
            ctx.Keyspace.Put(txn, ctx.Db, key, ValueKind.String, expireAtMs, hll.Span);
            // Redis names PFMERGE's event "pfadd" too.
            ctx.Changed(KeyEvent.PfAdd, key);
            ctx.Reply.WriteRaw("+OK\r\n"u8);
        }
        finally
        {
            hll.Dispose();
            ArrayPool<byte>.Shared.Return(max);
        }
    }

    /// <summary>PFCOUNT over several keys: the union of their registers, counted without writing.</summary>
    private static void CountUnion(ref CommandContext ctx)
    {
        var max = ArrayPool<byte>.Shared.Rent(HyperLogLog.Registers);
        try
        {
            var registers = max.AsSpan(0, HyperLogLog.Registers);
            registers.Clear();
            for (var i = 1; i < ctx.ArgCount; i++)
            {
                if (!ctx.Keyspace.TryGet(ctx.Txn, ctx.Db, ctx.Arg(i), ctx.NowMs, out var value))
                {
                    continue;
                }
                if (!IsHyperLogLogOrReply(ref ctx, value))
                {
                    return;
                }
                if (!HyperLogLog.TryMerge(registers, value.Payload))
                {
                    ctx.Reply.WriteRaw(Corrupted);
                    return;
                }
            }
            ctx.Reply.WriteInteger((long)HyperLogLog.CountRaw(registers));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(max);
        }
    }

    /// <summary>Redis' isHLLObjectOrReply: a string that holds a HyperLogLog, or an error written and false.</summary>
    private static bool IsHyperLogLogOrReply(ref CommandContext ctx, StoredValue value)
    {
        if (value.Kind != ValueKind.String)
        {
            ctx.Reply.WriteRaw(Errors.WrongType);
            return false;
        }
        if (!HyperLogLog.IsValid(value.Payload))
        {
            ctx.Reply.WriteRaw(NotHyperLogLog);
            return false;
        }
        return true;
    }
}
