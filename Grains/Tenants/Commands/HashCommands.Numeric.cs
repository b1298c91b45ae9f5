using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants.Commands;

internal static partial class HashCommands
{
    public static void HIncrBy(ref CommandContext ctx)
    {
        if (!Args.TryParseInt64(ctx.Arg(3), out var increment))
        {
            ctx.Reply.WriteRaw(Errors.NotInteger);
            return;
        }
        var key = ctx.Arg(1);
        if (!Collections.TryOpenOrCreate(ref ctx, key, Kind, out var hash))
        {
            return;
        }
        var field = ctx.Arg(2);
        var current = 0L;
        var exists = ctx.Keyspace.TryGetMember(ctx.Txn, hash.Id, Collections.PrimarySpace, field, out var value);
        if (exists && !Args.TryParseInt64(value, out current))
        {
            ctx.Reply.WriteRaw("-ERR hash value is not an integer\r\n"u8);
            return;
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
        ctx.Keyspace.PutMember(ctx.Writer, hash.Id, Collections.PrimarySpace, field, text[..length]);
        if (!exists)
        {
            Collections.Save(ref ctx, key, Kind, hash, hash.Count + 1);
        }
        ctx.Changed(KeyEvent.HIncrBy, key);
        ctx.Reply.WriteInteger(result);
    }

    public static void HIncrByFloat(ref CommandContext ctx)
    {
        var incrementText = ctx.Arg(3);
        if (!Args.TryParseDouble(incrementText, out var increment))
        {
            ctx.Reply.WriteRaw(Errors.NotFloat);
            return;
        }
        if (double.IsInfinity(increment))
        {
            ctx.Reply.WriteRaw("-ERR value is NaN or Infinity\r\n"u8);
            return;
        }
        var key = ctx.Arg(1);
        if (!Collections.TryOpenOrCreate(ref ctx, key, Kind, out var hash))
        {
            return;
        }
        var field = ctx.Arg(2);
        var current = 0.0;
        var exists = ctx.Keyspace.TryGetMember(ctx.Txn, hash.Id, Collections.PrimarySpace, field, out var value);
        if (exists && !Args.TryParseDouble(value, out current))
        {
            ctx.Reply.WriteRaw("-ERR hash value is not a float\r\n"u8);
            return;
        }
        var result = current + increment;
        if (double.IsNaN(result) || double.IsInfinity(result))
        {
            ctx.Reply.WriteRaw(Errors.NanOrInfinity);
            return;
        }
        var formatted = StringCommands.FormatLikeLongDouble(exists ? value : default, incrementText, result);
        ctx.Keyspace.PutMember(ctx.Writer, hash.Id, Collections.PrimarySpace, field, formatted);
        if (!exists)
        {
            Collections.Save(ref ctx, key, Kind, hash, hash.Count + 1);
        }
        ctx.Changed(KeyEvent.HIncrByFloat, key);
        ctx.Reply.WriteBulk(formatted);
    }
}
