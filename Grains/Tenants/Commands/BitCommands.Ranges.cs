using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

internal static partial class BitCommands
{
    /// <summary>
    /// BITCOUNT key [start end [BYTE|BIT]]. Redis 7.0 looks the key up before it reads the range, so a
    /// missing key counts 0 and a key of another type is WRONGTYPE whatever the other arguments say.
    /// </summary>
    public static void BitCount(ref CommandContext ctx)
    {
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
        if (ctx.ArgCount == 2)
        {
            ctx.Reply.WriteInteger(Bitmaps.PopCount(bytes));
            return;
        }
        if (ctx.ArgCount is not (4 or 5))
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return;
        }
        if (!Args.TryParseInt64(ctx.Arg(2), out var start) || !Args.TryParseInt64(ctx.Arg(3), out var end))
        {
            ctx.Reply.WriteRaw(Errors.NotInteger);
            return;
        }
        // Both ends negative and crossed: empty, before the unit is even read (as 7.0 orders it).
        if (start < 0 && end < 0 && start > end)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        var inBits = false;
        if (ctx.ArgCount == 5 && !TryParseUnit(ctx.Arg(4), out inBits))
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return;
        }
        var total = inBits ? (long)bytes.Length << 3 : bytes.Length;
        Clamp(total, ref start, ref end);
        if (start > end)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        ctx.Reply.WriteInteger(inBits
            ? Bitmaps.PopCount(bytes, start, end)
            : Bitmaps.PopCount(bytes[(int)start..(int)(end + 1)]));
    }

    /// <summary>
    /// BITPOS key bit [start [end [BYTE|BIT]]]. A missing key is an endless run of zeros. Without an end,
    /// the string counts as zero-padded on the right, so a search for 0 in all ones finds the bit just past it.
    /// </summary>
    public static void BitPos(ref CommandContext ctx)
    {
        if (!Args.TryParseInt64(ctx.Arg(2), out var bit))
        {
            ctx.Reply.WriteRaw(Errors.NotInteger);
            return;
        }
        if (bit is not (0 or 1))
        {
            ctx.Reply.WriteRaw(BitArgumentInvalid);
            return;
        }
        var one = bit == 1;
        if (!ctx.Keyspace.TryGet(ctx.Txn, ctx.Db, ctx.Arg(1), ctx.NowMs, out var value))
        {
            ctx.Reply.WriteInteger(one ? -1 : 0);
            return;
        }
        if (value.Kind != ValueKind.String)
        {
            ctx.Reply.WriteRaw(Errors.WrongType);
            return;
        }
        var bytes = value.Payload;
        long start = 0;
        long end = bytes.Length - 1;
        var inBits = false;
        var endGiven = false;
        if (ctx.ArgCount is >= 4 and <= 6)
        {
            if (!Args.TryParseInt64(ctx.Arg(3), out start))
            {
                ctx.Reply.WriteRaw(Errors.NotInteger);
                return;
            }
            if (ctx.ArgCount == 6 && !TryParseUnit(ctx.Arg(5), out inBits))
            {
                ctx.Reply.WriteRaw(Errors.Syntax);
                return;
            }
            if (ctx.ArgCount >= 5)
            {
                if (!Args.TryParseInt64(ctx.Arg(4), out end))
                {
                    ctx.Reply.WriteRaw(Errors.NotInteger);
                    return;
                }
                endGiven = true;
            }
            Clamp(inBits ? (long)bytes.Length << 3 : bytes.Length, ref start, ref end);
        }
        else if (ctx.ArgCount != 3)
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return;
        }
        if (start > end)
        {
            ctx.Reply.WriteInteger(-1);
            return;
        }
        var firstBit = inBits ? start : start << 3;
        var lastBit = inBits ? end : (end << 3) + 7;
        var position = Bitmaps.FindFirst(bytes, firstBit, lastBit, one);
        if (position < 0 && !one && !endGiven)
        {
            // No clear bit in the string: the first one of the zero padding.
            position = lastBit + 1;
        }
        ctx.Reply.WriteInteger(position);
    }

    /// <summary>Redis' index arithmetic for a range over <paramref name="total"/> units: negatives count from the end, then both ends are clamped.</summary>
    private static void Clamp(long total, ref long start, ref long end)
    {
        if (start < 0)
        {
            start = total + start;
        }
        if (end < 0)
        {
            end = total + end;
        }
        if (start < 0)
        {
            start = 0;
        }
        if (end < 0)
        {
            end = 0;
        }
        if (end >= total)
        {
            end = total - 1;
        }
    }

    private static bool TryParseUnit(ReadOnlySpan<byte> arg, out bool inBits)
    {
        inBits = IsKeyword(arg, "BIT"u8);
        return inBits || IsKeyword(arg, "BYTE"u8);
    }
}
