using System.Globalization;
using System.Text;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

internal static partial class HyperLogLogCommands
{
    /// <summary>
    /// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key, as redis-server 7.0's pfdebugCommand: the key is looked up and checked
    /// before the subcommand; GETREG and TODENSE turn a sparse value dense in place, without a keyspace event or a
    /// touched WATCH, as in Redis.
    /// </summary>
    public static void PfDebug(ref CommandContext ctx)
    {
        var key = ctx.Arg(2);
        var txn = ctx.Writer;
        if (!ctx.Keyspace.TryGetForWrite(txn, ctx.Db, key, ctx.NowMs, out var value))
        {
            ctx.Reply.WriteRaw("-ERR The specified key does not exist\r\n"u8);
            return;
        }
        if (!IsHyperLogLogOrReply(ref ctx, value))
        {
            return;
        }
        var sub = ctx.Arg(1);
        var sparse = value.Payload[4] == HyperLogLog.Sparse;
        if (Args.Is(sub, "ENCODING"u8))
        {
            ctx.Reply.WriteSimpleString(sparse ? "sparse"u8 : "dense"u8);
        }
        else if (Args.Is(sub, "DECODE"u8))
        {
            if (!sparse)
            {
                ctx.Reply.WriteRaw("-ERR HLL encoding is not sparse\r\n"u8);
                return;
            }
            ctx.Reply.WriteBulk(Encoding.ASCII.GetBytes(HyperLogLog.Decode(value.Payload)));
        }
        else if (Args.Is(sub, "GETREG"u8) || Args.Is(sub, "TODENSE"u8))
        {
            var getReg = Args.Is(sub, "GETREG"u8);
            var hll = HllBuffer.CopyOf(value.Payload);
            try
            {
                if (sparse)
                {
                    if (!HyperLogLog.TryToDense(ref hll))
                    {
                        ctx.Reply.WriteRaw(Corrupted);
                        return;
                    }
                    ctx.Keyspace.Put(txn, ctx.Db, key, ValueKind.String, value.ExpireAtMs, hll.Span);
                }
                if (!getReg)
                {
                    ctx.Reply.WriteInteger(sparse ? 1 : 0);
                    return;
                }
                var registers = hll.Span[HyperLogLog.HeaderSize..];
                ctx.Reply.WriteArrayHeader(HyperLogLog.Registers);
                for (var i = 0; i < HyperLogLog.Registers; i++)
                {
                    ctx.Reply.WriteInteger(HyperLogLog.DenseGet(registers, i));
                }
            }
            finally
            {
                hll.Dispose();
            }
        }
        else
        {
            // Redis formats the name with %s: it ends at a NUL byte.
            var end = sub.IndexOf((byte)0);
            var name = Encoding.UTF8.GetString(end < 0 ? sub : sub[..end]);
            Replies.Error(ctx.Reply, string.Create(CultureInfo.InvariantCulture, $"ERR Unknown PFDEBUG subcommand '{name}'"));
        }
    }
}
