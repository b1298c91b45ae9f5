using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

internal static partial class BitCommands
{
    private static ReadOnlySpan<byte> BitfieldTypeInvalid =>
        "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"u8;
    private static ReadOnlySpan<byte> OverflowTypeInvalid => "-ERR Invalid OVERFLOW type specified\r\n"u8;
    private static ReadOnlySpan<byte> BitfieldRoWrites => "-ERR BITFIELD_RO only supports the GET subcommand\r\n"u8;

    private enum FieldOpCode : byte
    {
        /// <summary>An OVERFLOW clause: it changes the mode of the operations after it and replies nothing.</summary>
        Overflow,
        Get,
        Set,
        IncrBy,
    }

    private enum FieldParse : byte
    {
        Ok,
        Syntax,
        OverflowType,
        Type,
        Offset,
        Value,
    }

    private struct FieldOp
    {
        public FieldOpCode Code;
        public bool Signed;
        public int Bits;
        public long Offset;
        public long Value;
    }

    /// <summary>
    /// BITFIELD key [GET type offset | SET type offset value | INCRBY type offset increment | OVERFLOW WRAP|SAT|FAIL] ...
    /// and BITFIELD_RO (GET only). Like Redis, every operation is parsed before the key is touched; a command
    /// with a SET or INCRBY first grows the string to reach the farthest field written, even when every write
    /// then fails under OVERFLOW FAIL.
    /// </summary>
    public static void BitField(ref CommandContext ctx, bool readOnly)
    {
        // Pass 1: parse and check everything; nothing is kept, pass 2 parses again (no allocation).
        var count = 0;
        var writes = false;
        long highestBit = 0;
        var overflow = BitfieldOverflow.Wrap;
        for (var j = 2; j < ctx.ArgCount; j++)
        {
            var status = ParseFieldOp(ref ctx, ref j, ref overflow, out var op);
            if (status != FieldParse.Ok)
            {
                ctx.Reply.WriteRaw(status switch
                {
                    FieldParse.OverflowType => OverflowTypeInvalid,
                    FieldParse.Type => BitfieldTypeInvalid,
                    FieldParse.Offset => BitOffsetInvalid,
                    FieldParse.Value => Errors.NotInteger,
                    _ => Errors.Syntax,
                });
                return;
            }
            if (op.Code == FieldOpCode.Overflow)
            {
                continue;
            }
            count++;
            if (op.Code != FieldOpCode.Get)
            {
                writes = true;
                highestBit = Math.Max(highestBit, op.Offset + op.Bits - 1);
            }
        }
        if (!writes)
        {
            var found = ctx.Keyspace.TryGet(ctx.Txn, ctx.Db, ctx.Arg(1), ctx.NowMs, out var current);
            if (found && current.Kind != ValueKind.String)
            {
                ctx.Reply.WriteRaw(Errors.WrongType);
                return;
            }
            RunFieldOps(ref ctx, count, current.Payload, default);
            return;
        }
        if (readOnly)
        {
            ctx.Reply.WriteRaw(BitfieldRoWrites);
            return;
        }
        WriteFields(ref ctx, count, highestBit);
    }

    private static void WriteFields(ref CommandContext ctx, int count, long highestBit)
    {
        var key = ctx.Arg(1);
        var txn = ctx.Writer;
        var found = ctx.Keyspace.TryGetForWrite(txn, ctx.Db, key, ctx.NowMs, out var value);
        if (found && value.Kind != ValueKind.String)
        {
            ctx.Reply.WriteRaw(Errors.WrongType);
            return;
        }
        var existing = found ? value.Payload : default;
        var expireAt = found ? value.ExpireAtMs : 0;
        var length = Math.Max(existing.Length, (int)(highestBit >> 3) + 1);
        Span<byte> stack = stackalloc byte[StackCopyLimit];
        var bytes = Writable(existing, length, stack, out var rented);
        try
        {
            var changed = RunFieldOps(ref ctx, count, bytes, bytes);
            if (changed || length != existing.Length || !found)
            {
                ctx.Keyspace.Put(txn, ctx.Db, key, ValueKind.String, expireAt, bytes);
                ctx.Changed(KeyEvent.SetBit, key);
            }
        }
        finally
        {
            Return(rented);
        }
    }

    /// <summary>
    /// Pass 2: runs the (already checked) operations and writes their replies. Reads come from
    /// <paramref name="source"/>; writes go to <paramref name="target"/>, the same bytes, long enough for
    /// every write (empty when there are no writes). Returns whether any bit changed.
    /// </summary>
    private static bool RunFieldOps(ref CommandContext ctx, int count, scoped ReadOnlySpan<byte> source, scoped Span<byte> target)
    {
        ctx.Reply.WriteArrayHeader(count);
        var changed = false;
        var overflow = BitfieldOverflow.Wrap;
        for (var j = 2; j < ctx.ArgCount; j++)
        {
            ParseFieldOp(ref ctx, ref j, ref overflow, out var op);
            switch (op.Code)
            {
                case FieldOpCode.Get when op.Signed:
                    ctx.Reply.WriteInteger(BitfieldArithmetic.GetSigned(source, op.Offset, op.Bits));
                    break;
                case FieldOpCode.Get:
                    ctx.Reply.WriteInteger((long)BitfieldArithmetic.GetUnsigned(source, op.Offset, op.Bits));
                    break;
                case FieldOpCode.Set or FieldOpCode.IncrBy when op.Signed:
                    changed |= WriteSigned(ctx.Reply, target, op, overflow);
                    break;
                case FieldOpCode.Set or FieldOpCode.IncrBy:
                    changed |= WriteUnsigned(ctx.Reply, target, op, overflow);
                    break;
            }
        }
        return changed;
    }

    /// <summary>SET replies with the old value, INCRBY with the new one; a FAIL overflow replies null and writes nothing.</summary>
    private static bool WriteSigned(IReplyWriter reply, Span<byte> bytes, in FieldOp op, BitfieldOverflow overflow)
    {
        var old = BitfieldArithmetic.GetSigned(bytes, op.Offset, op.Bits);
        long updated;
        int status;
        if (op.Code == FieldOpCode.IncrBy)
        {
            status = BitfieldArithmetic.CheckSigned(old, op.Value, op.Bits, overflow, out var limit);
            updated = status != 0 ? limit : old + op.Value;
        }
        else
        {
            status = BitfieldArithmetic.CheckSigned(op.Value, 0, op.Bits, overflow, out var limit);
            updated = status != 0 ? limit : op.Value;
        }
        if (status != 0 && overflow == BitfieldOverflow.Fail)
        {
            reply.WriteNull();
            return false;
        }
        reply.WriteInteger(op.Code == FieldOpCode.IncrBy ? updated : old);
        BitfieldArithmetic.Set(bytes, op.Offset, op.Bits, unchecked((ulong)updated));
        return old != updated;
    }

    private static bool WriteUnsigned(IReplyWriter reply, Span<byte> bytes, in FieldOp op, BitfieldOverflow overflow)
    {
        var old = BitfieldArithmetic.GetUnsigned(bytes, op.Offset, op.Bits);
        ulong updated;
        int status;
        if (op.Code == FieldOpCode.IncrBy)
        {
            status = BitfieldArithmetic.CheckUnsigned(old, op.Value, op.Bits, overflow, out var limit);
            updated = status != 0 ? limit : unchecked(old + (ulong)op.Value);
        }
        else
        {
            var value = unchecked((ulong)op.Value);
            status = BitfieldArithmetic.CheckUnsigned(value, 0, op.Bits, overflow, out var limit);
            updated = status != 0 ? limit : value;
        }
        if (status != 0 && overflow == BitfieldOverflow.Fail)
        {
            reply.WriteNull();
            return false;
        }
        reply.WriteInteger(unchecked((long)(op.Code == FieldOpCode.IncrBy ? updated : old)));
        BitfieldArithmetic.Set(bytes, op.Offset, op.Bits, updated);
        return old != updated;
    }

    /// <summary>
    /// Parses the operation at argument <paramref name="j"/> as Redis' bitfieldGeneric does, leaving
    /// <paramref name="j"/> on its last argument. An OVERFLOW clause updates <paramref name="overflow"/>.
    /// </summary>
    private static FieldParse ParseFieldOp(ref CommandContext ctx, ref int j, ref BitfieldOverflow overflow, out FieldOp op)
    {
        op = default;
        var remaining = ctx.ArgCount - j - 1;
        var name = ctx.Arg(j);
        if (IsKeyword(name, "GET"u8) && remaining >= 2)
        {
            op.Code = FieldOpCode.Get;
        }
        else if (IsKeyword(name, "SET"u8) && remaining >= 3)
        {
            op.Code = FieldOpCode.Set;
        }
        else if (IsKeyword(name, "INCRBY"u8) && remaining >= 3)
        {
            op.Code = FieldOpCode.IncrBy;
        }
        else if (IsKeyword(name, "OVERFLOW"u8) && remaining >= 1)
        {
            var mode = ctx.Arg(++j);
            if (IsKeyword(mode, "WRAP"u8))
            {
                overflow = BitfieldOverflow.Wrap;
            }
            else if (IsKeyword(mode, "SAT"u8))
            {
                overflow = BitfieldOverflow.Sat;
            }
            else if (IsKeyword(mode, "FAIL"u8))
            {
                overflow = BitfieldOverflow.Fail;
            }
            else
            {
                return FieldParse.OverflowType;
            }
            op.Code = FieldOpCode.Overflow;
            return FieldParse.Ok;
        }
        else
        {
            return FieldParse.Syntax;
        }
        if (!TryParseFieldType(ctx.Arg(j + 1), out op.Signed, out op.Bits))
        {
            return FieldParse.Type;
        }
        if (!TryParseBitOffset(ctx.Arg(j + 2), hash: true, op.Bits, out op.Offset))
        {
            return FieldParse.Offset;
        }
        if (op.Code != FieldOpCode.Get && !Args.TryParseInt64(ctx.Arg(j + 3), out op.Value))
        {
            return FieldParse.Value;
        }
        j += op.Code == FieldOpCode.Get ? 2 : 3;
        return FieldParse.Ok;
    }

    /// <summary>Redis' getBitfieldTypeFromArgument: i1..i64 or u1..u63 (u64 would not fit a RESP integer).</summary>
    private static bool TryParseFieldType(ReadOnlySpan<byte> arg, out bool signed, out int bits)
    {
        signed = false;
        bits = 0;
        if (arg.Length == 0 || arg[0] is not ((byte)'i' or (byte)'u'))
        {
            return false;
        }
        signed = arg[0] == (byte)'i';
        // Redis reads the width with strlen, so it ends at the first NUL byte.
        var digits = arg[1..];
        var nul = digits.IndexOf((byte)0);
        if (!Args.TryParseInt64(nul >= 0 ? digits[..nul] : digits, out var width) || width < 1 || width > (signed ? 64 : 63))
        {
            return false;
        }
        bits = (int)width;
        return true;
    }
}
