using System.Globalization;
using System.Text;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

internal static partial class StringCommands
{
    /// <summary>INCR, DECR, INCRBY, DECRBY: <paramref name="sign"/> is -1 for the DECR forms.</summary>
    public static void IncrBy(ref CommandContext ctx, bool hasArgument, int sign)
    {
        var increment = 1L;
        if (hasArgument && !Args.TryParseInt64(ctx.Arg(2), out increment))
        {
            ctx.Reply.WriteRaw(Errors.NotInteger);
            return;
        }
        if (sign < 0)
        {
            if (increment == long.MinValue)
            {
                ctx.Reply.WriteRaw("-ERR decrement would overflow\r\n"u8);
                return;
            }
            increment = -increment;
        }
        var key = ctx.Arg(1);
        var current = 0L;
        var expireAt = 0L;
        if (ctx.Keyspace.TryGetForWrite(ctx.Writer, ctx.Db, key, ctx.NowMs, out var value))
        {
            if (value.Kind != ValueKind.String)
            {
                ctx.Reply.WriteRaw(Errors.WrongType);
                return;
            }
            if (!Args.TryParseInt64(value.Payload, out current))
            {
                ctx.Reply.WriteRaw(Errors.NotInteger);
                return;
            }
            expireAt = value.ExpireAtMs;
        }
        if ((increment < 0 && current < 0 && increment < long.MinValue - current) ||
            (increment > 0 && current > 0 && increment > long.MaxValue - current))
        {
            ctx.Reply.WriteRaw(Errors.Overflow);
            return;
        }
        var result = current + increment;
        Span<byte> text = stackalloc byte[24];
        var length = Args.Format(result, text);
        ctx.Keyspace.Put(ctx.Writer, ctx.Db, key, ValueKind.String, expireAt, text[..length]);
        ctx.Changed(KeyEvent.IncrBy, key);
        ctx.Reply.WriteInteger(result);
    }

    public static void IncrByFloat(ref CommandContext ctx)
    {
        var incrementText = ctx.Arg(2);
        if (!Args.TryParseDouble(incrementText, out var increment))
        {
            ctx.Reply.WriteRaw(Errors.NotFloat);
            return;
        }
        var key = ctx.Arg(1);
        var expireAt = 0L;
        var currentText = ReadOnlySpan<byte>.Empty;
        var current = 0.0;
        if (ctx.Keyspace.TryGetForWrite(ctx.Writer, ctx.Db, key, ctx.NowMs, out var value))
        {
            if (value.Kind != ValueKind.String)
            {
                ctx.Reply.WriteRaw(Errors.WrongType);
                return;
            }
            currentText = value.Payload;
            if (!Args.TryParseDouble(currentText, out current))
            {
                ctx.Reply.WriteRaw(Errors.NotFloat);
                return;
            }
            expireAt = value.ExpireAtMs;
        }
        var result = current + increment;
        if (double.IsNaN(result) || double.IsInfinity(result))
        {
            ctx.Reply.WriteRaw(Errors.NanOrInfinity);
            return;
        }
        var formatted = FormatLikeLongDouble(currentText, incrementText, result);
        ctx.Keyspace.Put(ctx.Writer, ctx.Db, key, ValueKind.String, expireAt, formatted);
        ctx.Changed(KeyEvent.IncrByFloat, key);
        ctx.Reply.WriteBulk(formatted);
    }

    /// <summary>
    /// Redis adds in long double and prints "%.17Lf" with trailing zeros removed. For the decimal inputs
    /// people type, exact decimal arithmetic gives the same digits; beyond System.Decimal's range the
    /// double result is printed the same way.
    /// </summary>
    internal static byte[] FormatLikeLongDouble(ReadOnlySpan<byte> currentText, ReadOnlySpan<byte> incrementText, double result)
    {
        string text;
        var current = 0m;
        if ((currentText.IsEmpty || Args.TryParseDecimal(currentText, out current)) && Args.TryParseDecimal(incrementText, out var inc))
        {
            try
            {
                text = Math.Round(current + inc, 17, MidpointRounding.ToEven).ToString("F17", CultureInfo.InvariantCulture);
            }
            catch (OverflowException)
            {
                text = result.ToString("F17", CultureInfo.InvariantCulture);
            }
        }
        else
        {
            text = result.ToString("F17", CultureInfo.InvariantCulture);
        }
        if (text.Contains('.'))
        {
            text = text.TrimEnd('0').TrimEnd('.');
        }
        if (text == "-0")
        {
            text = "0";
        }
        return Encoding.ASCII.GetBytes(text);
    }
}
