using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants.Commands;

namespace IceFire.Grains.Tenants;

internal static partial class TenantStateMachine
{
    static partial void ExecuteTransactions(ref CommandContext ctx, ref bool handled)
    {
        handled = true;
        switch (ctx.Command.Id)
        {
            case CommandId.Watch: Watch(ref ctx); break;
            case CommandId.Unwatch: Unwatch(ref ctx); break;
            default: handled = false; break;
        }
    }

    /// <summary>WATCH: runs on the writer, so it is ordered with every write before and after it.</summary>
    private static void Watch(ref CommandContext ctx)
    {
        if (ctx.Events is null || ctx.Batch.Watches is null)
        {
            Replies.Error(ctx.Reply, "ERR WATCH needs the connection's watch set");
            return;
        }
        for (var i = 1; i < ctx.ArgCount; i++)
        {
            var key = ctx.Arg(i);
            var expired = ctx.Keyspace.TryGetRaw(ctx.Txn, ctx.Db, key, out var value) && value.IsExpired(ctx.NowMs);
            ctx.Events.Watches.Watch(ctx.Batch.Watches, ctx.Db, key, expired);
        }
        ctx.Reply.WriteRaw("+OK\r\n"u8);
    }

    private static void Unwatch(ref CommandContext ctx)
    {
        if (ctx.Events is not null && ctx.Batch.Watches is not null)
        {
            ctx.Events.Watches.Release(ctx.Batch.Watches);
        }
        ctx.Reply.WriteRaw("+OK\r\n"u8);
    }
}
