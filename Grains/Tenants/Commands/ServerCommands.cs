using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>Server commands that act on the dataset: DBSIZE, FLUSHDB, FLUSHALL.</summary>
internal static class ServerCommands
{
    public static void DbSize(ref CommandContext ctx) => ctx.Reply.WriteInteger(ctx.Keyspace.Count(ctx.Txn, ctx.Db));

    /// <summary>FLUSHDB and FLUSHALL with the optional ASYNC or SYNC (both are synchronous here).</summary>
    public static void Flush(ref CommandContext ctx, bool all)
    {
        if (ctx.ArgCount > 2 || (ctx.ArgCount == 2 && !Args.Is(ctx.Arg(1), "ASYNC"u8) && !Args.Is(ctx.Arg(1), "SYNC"u8)))
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return;
        }
        if (all)
        {
            for (var db = 0; db < RedisKeyspace.DatabaseCount; db++)
            {
                Clear(ref ctx, db);
            }
        }
        else
        {
            Clear(ref ctx, ctx.Db);
        }
        ctx.Reply.WriteRaw("+OK\r\n"u8);
    }

    /// <summary>Empties a database; watched keys that were in it count as changed (Redis' touchAllWatchedKeysInDb).</summary>
    private static void Clear(ref CommandContext ctx, int db)
    {
        if (ctx.Events is { } events && events.Watches.Count > 0)
        {
            foreach (var key in events.Watches.KeysOf(db))
            {
                if (ctx.Keyspace.TryGetRaw(ctx.Txn, db, key, out _))
                {
                    events.Watches.Touch(db, key);
                }
            }
        }
        ctx.Keyspace.Clear(ctx.Writer, db);
    }
}
