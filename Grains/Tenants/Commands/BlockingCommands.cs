using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>
/// What the blocking commands share: the timeout argument, the wait itself, and serving a parked command
/// when one of its keys fills. Each command acts at once, like its non-blocking form, when one of its
/// keys (the first in argument order) has data; otherwise it parks in <see cref="BlockedClients"/>, or,
/// inside MULTI/EXEC, answers as if it had timed out.
/// </summary>
internal static partial class BlockingCommands
{
    private static ReadOnlySpan<byte> NegativeTimeout => "-ERR timeout is negative\r\n"u8;

    /// <summary>
    /// Redis' getTimeoutFromObjectOrReply in seconds: a float (inf included), times 1000, rounded up to whole
    /// milliseconds; 0 waits forever. A value whose milliseconds overflow 64 bits, like a negative one, is
    /// refused as negative (redis-server converts it to LLONG_MIN). Writes the error and returns false.
    /// </summary>
    public static bool TryParseTimeout(ref CommandContext ctx, int index, out long milliseconds)
    {
        milliseconds = 0;
        var text = ctx.Arg(index);
        if (!Args.TryParseDouble(text, out var seconds) && !IsOverflow(text, out seconds))
        {
            ctx.Reply.WriteRaw(Errors.Timeout);
            return false;
        }
        var ms = Math.Ceiling(seconds * 1000.0);
        // 2^63: the first double a long cannot hold.
        if (!(ms < 9223372036854775808.0) || ms < 0)
        {
            ctx.Reply.WriteRaw(NegativeTimeout);
            return false;
        }
        milliseconds = (long)ms;
        return true;
    }

    /// <summary>A well-formed number too large for a double ("1e400"), which long double parsing accepts.</summary>
    private static bool IsOverflow(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 256 || text[0] is (byte)' ' or (byte)'\t' || text[^1] is (byte)' ' or (byte)'\t')
        {
            return false;
        }
        Span<char> chars = stackalloc char[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            chars[i] = (char)text[i];
        }
        return double.TryParse(chars, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out value) &&
            double.IsInfinity(value);
    }

    /// <summary>
    /// Parks the command on its keys, or, when it may not block (inside MULTI), writes the timeout reply:
    /// a null array, or for BLMOVE and BRPOPLPUSH (<paramref name="nullBulk"/>) LMOVE's null.
    /// </summary>
    private static void Block(ref CommandContext ctx, ValueKind kind, int firstKey, int keyCount, long timeoutMs, bool nullBulk)
    {
        if (ctx.Blocking is { } blocking && blocking.TryPark(ref ctx, kind, firstKey, keyCount, timeoutMs))
        {
            return;
        }
        if (nullBulk)
        {
            ctx.Reply.WriteNull();
        }
        else
        {
            ctx.Reply.WriteNullArray();
        }
    }

    /// <summary>
    /// Runs a parked command now that the key in argument <paramref name="keyIndex"/> holds data of the kind
    /// it waits for; its arguments were checked when it parked.
    /// </summary>
    public static void Serve(ref CommandContext ctx, int keyIndex)
    {
        switch (ctx.Command.Id)
        {
            case CommandId.BLPop: ServeBPop(ref ctx, keyIndex, left: true); break;
            case CommandId.BRPop: ServeBPop(ref ctx, keyIndex, left: false); break;
            case CommandId.BLMove: ListCommands.LMove(ref ctx, fixedRightLeft: false); break;
            case CommandId.BRPopLPush: ListCommands.LMove(ref ctx, fixedRightLeft: true); break;
            case CommandId.BLMPop: ServeBLMPop(ref ctx, keyIndex); break;
            case CommandId.BZPopMin: ServeBZPop(ref ctx, keyIndex, max: false); break;
            case CommandId.BZPopMax: ServeBZPop(ref ctx, keyIndex, max: true); break;
            case CommandId.BZMPop: ServeBZMPop(ref ctx, keyIndex); break;
            default: throw new InvalidOperationException($"{ctx.Name} does not block");
        }
    }

    /// <summary>
    /// BLMPOP's and BZMPOP's arguments after the timeout, checked in Redis' order: numkeys, the side
    /// (<paramref name="first"/> or <paramref name="second"/>), then COUNT. Writes the error and returns false.
    /// </summary>
    private static bool TryParseMultiPop(ref CommandContext ctx, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second,
        out int keyCount, out bool isFirst, out long count)
    {
        keyCount = 0;
        isFirst = false;
        count = 1;
        if (!Args.TryParseInt64(ctx.Arg(2), out var keys) || keys < 1)
        {
            ctx.Reply.WriteRaw("-ERR numkeys should be greater than 0\r\n"u8);
            return false;
        }
        // The side follows the keys: argument 3 + numkeys must exist.
        if (keys > ctx.ArgCount - 4)
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return false;
        }
        keyCount = (int)keys;
        var sideIndex = 3 + keyCount;
        isFirst = Args.Is(ctx.Arg(sideIndex), first);
        if (!isFirst && !Args.Is(ctx.Arg(sideIndex), second))
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return false;
        }
        var countSet = false;
        for (var i = sideIndex + 1; i < ctx.ArgCount; i++)
        {
            if (!countSet && Args.Is(ctx.Arg(i), "COUNT"u8) && i + 1 < ctx.ArgCount)
            {
                if (!Args.TryParseInt64(ctx.Arg(++i), out count) || count < 1)
                {
                    ctx.Reply.WriteRaw("-ERR count should be greater than 0\r\n"u8);
                    return false;
                }
                countSet = true;
            }
            else
            {
                ctx.Reply.WriteRaw(Errors.Syntax);
                return false;
            }
        }
        return true;
    }
}
