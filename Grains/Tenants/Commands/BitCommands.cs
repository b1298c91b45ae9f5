using System.Buffers;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>
/// SETBIT, GETBIT and BITOP: strings seen as bitmaps, bit 0 being the most significant bit of the first
/// byte. Checks and replies follow redis-server 7.0's bitops.c step by step.
/// </summary>
internal static partial class BitCommands
{
    /// <summary>Strings up to this length are copied for a rewrite on the stack rather than in a rented array.</summary>
    private const int StackCopyLimit = 512;

    private static ReadOnlySpan<byte> BitOffsetInvalid => "-ERR bit offset is not an integer or out of range\r\n"u8;
    private static ReadOnlySpan<byte> BitValueInvalid => "-ERR bit is not an integer or out of range\r\n"u8;
    private static ReadOnlySpan<byte> BitArgumentInvalid => "-ERR The bit argument must be 1 or 0.\r\n"u8;
    private static ReadOnlySpan<byte> BitOpNotArity => "-ERR BITOP NOT must be called with a single source key.\r\n"u8;

    private enum BitOperation
    {
        And,
        Or,
        Xor,
        Not,
    }

    /// <summary>SETBIT key offset value: replies with the bit's old value; grows the string with zeros and keeps its TTL.</summary>
    public static void SetBit(ref CommandContext ctx)
    {
        if (!TryParseBitOffset(ctx.Arg(2), hash: false, bits: 0, out var offset))
        {
            ctx.Reply.WriteRaw(BitOffsetInvalid);
            return;
        }
        if (!Args.TryParseInt64(ctx.Arg(3), out var on) || (on & ~1L) != 0)
        {
            ctx.Reply.WriteRaw(BitValueInvalid);
            return;
        }
        var key = ctx.Arg(1);
        var txn = ctx.Writer;
        var found = ctx.Keyspace.TryGetForWrite(txn, ctx.Db, key, ctx.NowMs, out var value);
        if (found && value.Kind != ValueKind.String)
        {
            ctx.Reply.WriteRaw(Errors.WrongType);
            return;
        }
        var existing = found ? value.Payload : default;
        var index = (int)(offset >> 3);
        var mask = 0x80 >> (int)(offset & 7);
        var wasSet = index < existing.Length && (existing[index] & mask) != 0;
        if (!found || index >= existing.Length || wasSet != (on != 0))
        {
            Span<byte> stack = stackalloc byte[StackCopyLimit];
            var bytes = Writable(existing, Math.Max(existing.Length, index + 1), stack, out var rented);
            try
            {
                bytes[index] = (byte)(on != 0 ? bytes[index] | mask : bytes[index] & ~mask);
                ctx.Keyspace.Put(txn, ctx.Db, key, ValueKind.String, found ? value.ExpireAtMs : 0, bytes);
            }
            finally
            {
                Return(rented);
            }
            ctx.Changed(KeyEvent.SetBit, key);
        }
        ctx.Reply.WriteInteger(wasSet ? 1 : 0);
    }

    /// <summary>GETBIT key offset: bits past the end of the string, or of a missing key, are 0.</summary>
    public static void GetBit(ref CommandContext ctx)
    {
        if (!TryParseBitOffset(ctx.Arg(2), hash: false, bits: 0, out var offset))
        {
            ctx.Reply.WriteRaw(BitOffsetInvalid);
            return;
        }
        if (!ctx.Keyspace.TryGet(ctx.Txn, ctx.Db, ctx.Arg(1), ctx.NowMs, out var value))
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        if (value.Kind != ValueKind.String)
        {
            ctx.Reply.WriteRaw(Errors.WrongType);
            return;
        }
        var bytes = value.Payload;
        var index = offset >> 3;
        var set = index < bytes.Length && (bytes[(int)index] & (0x80 >> (int)(offset & 7))) != 0;
        ctx.Reply.WriteInteger(set ? 1 : 0);
    }

    /// <summary>
    /// BITOP AND|OR|XOR|NOT destkey key [key ...]: missing keys are empty strings, shorter strings are
    /// zero-padded; an empty result deletes destkey, any other replaces it without a TTL.
    /// </summary>
    public static void BitOp(ref CommandContext ctx)
    {
        var name = ctx.Arg(1);
        BitOperation op;
        if (IsKeyword(name, "AND"u8))
        {
            op = BitOperation.And;
        }
        else if (IsKeyword(name, "OR"u8))
        {
            op = BitOperation.Or;
        }
        else if (IsKeyword(name, "XOR"u8))
        {
            op = BitOperation.Xor;
        }
        else if (IsKeyword(name, "NOT"u8))
        {
            op = BitOperation.Not;
        }
        else
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return;
        }
        if (op == BitOperation.Not && ctx.ArgCount != 4)
        {
            ctx.Reply.WriteRaw(BitOpNotArity);
            return;
        }
        var txn = ctx.Writer;
        var length = 0;
        // First pass: types and lengths. Lazy expiry may delete a source, a write that can move
        // the map under any span read so far, so no span outlives its own iteration.
        for (var i = 3; i < ctx.ArgCount; i++)
        {
            if (!ctx.Keyspace.TryGetForWrite(txn, ctx.Db, ctx.Arg(i), ctx.NowMs, out var source))
            {
                continue;
            }
            if (source.Kind != ValueKind.String)
            {
                ctx.Reply.WriteRaw(Errors.WrongType);
                return;
            }
            length = Math.Max(length, source.Payload.Length);
        }
        var destination = ctx.Arg(2);
        if (length == 0)
        {
            if (ctx.Keyspace.Delete(txn, ctx.Db, destination, ctx.NowMs))
            {
                ctx.Changed(KeyEvent.Del, destination);
            }
            ctx.Reply.WriteInteger(0);
            return;
        }
        Span<byte> stack = stackalloc byte[StackCopyLimit];
        // Second pass: nothing is written until the result is complete, so the sources' spans hold.
        ctx.Keyspace.TryGet(txn, ctx.Db, ctx.Arg(3), ctx.NowMs, out var head);
        var result = Writable(head.Payload, length, stack, out var rented);
        try
        {
            if (op == BitOperation.Not)
            {
                Invert(result);
            }
            for (var i = 4; i < ctx.ArgCount; i++)
            {
                ctx.Keyspace.TryGet(txn, ctx.Db, ctx.Arg(i), ctx.NowMs, out var source);
                Combine(op, result, source.Payload);
            }
            ctx.Keyspace.Put(txn, ctx.Db, destination, ValueKind.String, 0, result);
            ctx.Changed(KeyEvent.Set, destination);
        }
        finally
        {
            Return(rented);
        }
        ctx.Reply.WriteInteger(length);
    }

    /// <summary>
    /// Redis' getBitOffsetFromArgument: a non-negative bit offset below 512MB * 8. With <paramref name="hash"/>
    /// (BITFIELD), "#N" means N fields of <paramref name="bits"/> bits, multiplied as C does (it may wrap).
    /// </summary>
    internal static bool TryParseBitOffset(ReadOnlySpan<byte> arg, bool hash, int bits, out long offset)
    {
        var useHash = hash && bits > 0 && arg.Length > 0 && arg[0] == (byte)'#';
        if (!Args.TryParseInt64(useHash ? arg[1..] : arg, out offset))
        {
            return false;
        }
        if (useHash)
        {
            offset = unchecked(offset * bits);
        }
        return offset >= 0 && (offset >> 3) < StringCommands.MaxStringLength;
    }

    /// <summary>Redis' strcasecmp on an argument: C compares up to the first NUL byte.</summary>
    private static bool IsKeyword(ReadOnlySpan<byte> arg, ReadOnlySpan<byte> keyword)
    {
        var nul = arg.IndexOf((byte)0);
        return Args.Is(nul >= 0 ? arg[..nul] : arg, keyword);
    }

    /// <summary>
    /// A writable copy of <paramref name="existing"/>, zero-padded to <paramref name="length"/> bytes: in
    /// <paramref name="stack"/> when it fits, else in a rented array to give back with <see cref="Return"/>.
    /// Strings read from the map must be copied before any write of the same transaction.
    /// </summary>
    private static Span<byte> Writable(ReadOnlySpan<byte> existing, int length, Span<byte> stack, out byte[]? rented)
    {
        rented = null;
        Span<byte> bytes;
        if (length <= stack.Length)
        {
            bytes = stack[..length];
        }
        else
        {
            rented = ArrayPool<byte>.Shared.Rent(length);
            bytes = rented.AsSpan(0, length);
        }
        existing.CopyTo(bytes);
        bytes[existing.Length..].Clear();
        return bytes;
    }

    private static void Return(byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void Invert(Span<byte> bytes)
    {
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bytes);
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = ~words[i];
        }
        for (var i = words.Length * sizeof(ulong); i < bytes.Length; i++)
        {
            bytes[i] = (byte)~bytes[i];
        }
    }

    /// <summary>Folds one source into the result; the source is zero-padded to the result's length.</summary>
    private static void Combine(BitOperation op, Span<byte> result, ReadOnlySpan<byte> source)
    {
        var n = Math.Min(result.Length, source.Length);
        var r = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(result[..n]);
        var s = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(source[..n]);
        var tail = r.Length * sizeof(ulong);
        switch (op)
        {
            case BitOperation.And:
                for (var i = 0; i < r.Length; i++)
                {
                    r[i] &= s[i];
                }
                for (var i = tail; i < n; i++)
                {
                    result[i] &= source[i];
                }
                result[n..].Clear();
                break;
            case BitOperation.Or:
                for (var i = 0; i < r.Length; i++)
                {
                    r[i] |= s[i];
                }
                for (var i = tail; i < n; i++)
                {
                    result[i] |= source[i];
                }
                break;
            case BitOperation.Xor:
                for (var i = 0; i < r.Length; i++)
                {
                    r[i] ^= s[i];
                }
                for (var i = tail; i < n; i++)
                {
                    result[i] ^= source[i];
                }
                break;
        }
    }
}
