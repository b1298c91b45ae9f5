using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;
using IceFire.Grains.Tenants.Commands;

namespace IceFire.Grains.Tenants;

/// <summary>
/// The one routing table from a command to its handler. Applying a command is deterministic given the
/// keyspace, the arguments and <see cref="CommandContext.NowMs"/>, which is what lets a replicated log
/// replay it on every replica.
/// </summary>
internal static partial class TenantStateMachine
{
    // Command families are routed by their number range; each family's file routes within it
    // (TenantStateMachine.Hashes.cs and so on). A family not built yet leaves handled false.
    static partial void ExecuteBits(ref CommandContext ctx, ref bool handled);

    static partial void ExecuteHashes(ref CommandContext ctx, ref bool handled);

    static partial void ExecuteLists(ref CommandContext ctx, ref bool handled);

    static partial void ExecuteSets(ref CommandContext ctx, ref bool handled);

    static partial void ExecuteSortedSets(ref CommandContext ctx, ref bool handled);

    static partial void ExecuteTransactions(ref CommandContext ctx, ref bool handled);

    static partial void ExecuteHyperLogLogs(ref CommandContext ctx, ref bool handled);

    /// <summary>
    /// Runs one command. A record that fails its checksum answers the command an error naming the key, never the
    /// record's bytes, and the connection and the tenant go on (the failure is counted and logged once per key).
    /// </summary>
    public static void Execute(ref CommandContext ctx)
    {
        var position = ctx.Reply.Position;
        try
        {
            Route(ref ctx);
        }
        catch (StoredValueChecksumException error)
        {
            // Whatever the command wrote before it met the record (an array's first elements) goes.
            ctx.Reply.Rewind(position);
            var key = ctx.Keyspace.ReportChecksumFailure(ctx.Txn, ctx.Db, error);
            Replies.Error(ctx.Reply, $"ERR stored value of key '{StoredValueChecksumException.Printable(key)}' failed its checksum: the data directory is damaged");
        }
    }

    private static void Route(ref CommandContext ctx)
    {
        switch (ctx.Command.Id)
        {
            case CommandId.Get: StringCommands.Get(ref ctx); break;
            case CommandId.Set: StringCommands.Set(ref ctx); break;
            case CommandId.SetNx: StringCommands.SetNx(ref ctx); break;
            case CommandId.SetEx: StringCommands.SetEx(ref ctx, milliseconds: false); break;
            case CommandId.PSetEx: StringCommands.SetEx(ref ctx, milliseconds: true); break;
            case CommandId.GetSet: StringCommands.GetSet(ref ctx); break;
            case CommandId.GetDel: StringCommands.GetDel(ref ctx); break;
            case CommandId.GetEx: StringCommands.GetEx(ref ctx); break;
            case CommandId.MGet: StringCommands.MGet(ref ctx); break;
            case CommandId.MSet: StringCommands.MSet(ref ctx, onlyIfNoneExist: false); break;
            case CommandId.MSetNx: StringCommands.MSet(ref ctx, onlyIfNoneExist: true); break;
            case CommandId.Incr: StringCommands.IncrBy(ref ctx, hasArgument: false, sign: 1); break;
            case CommandId.Decr: StringCommands.IncrBy(ref ctx, hasArgument: false, sign: -1); break;
            case CommandId.IncrBy: StringCommands.IncrBy(ref ctx, hasArgument: true, sign: 1); break;
            case CommandId.DecrBy: StringCommands.IncrBy(ref ctx, hasArgument: true, sign: -1); break;
            case CommandId.IncrByFloat: StringCommands.IncrByFloat(ref ctx); break;
            case CommandId.Append: StringCommands.Append(ref ctx); break;
            case CommandId.StrLen: StringCommands.StrLen(ref ctx); break;
            case CommandId.GetRange:
            case CommandId.Substr: StringCommands.GetRange(ref ctx); break;
            case CommandId.SetRange: StringCommands.SetRange(ref ctx); break;

            case CommandId.Del:
            case CommandId.Unlink: KeyCommands.Del(ref ctx); break;
            case CommandId.Exists:
            case CommandId.Touch: KeyCommands.Exists(ref ctx); break;
            case CommandId.Type: KeyCommands.Type(ref ctx); break;
            case CommandId.Expire: KeyCommands.Expire(ref ctx, milliseconds: false, absolute: false); break;
            case CommandId.PExpire: KeyCommands.Expire(ref ctx, milliseconds: true, absolute: false); break;
            case CommandId.ExpireAt: KeyCommands.Expire(ref ctx, milliseconds: false, absolute: true); break;
            case CommandId.PExpireAt: KeyCommands.Expire(ref ctx, milliseconds: true, absolute: true); break;
            case CommandId.Ttl: KeyCommands.Ttl(ref ctx, milliseconds: false, absolute: false); break;
            case CommandId.PTtl: KeyCommands.Ttl(ref ctx, milliseconds: true, absolute: false); break;
            case CommandId.ExpireTime: KeyCommands.Ttl(ref ctx, milliseconds: false, absolute: true); break;
            case CommandId.PExpireTime: KeyCommands.Ttl(ref ctx, milliseconds: true, absolute: true); break;
            case CommandId.Persist: KeyCommands.Persist(ref ctx); break;
            case CommandId.Keys: KeyCommands.Keys(ref ctx); break;
            case CommandId.Scan: KeyCommands.Scan(ref ctx); break;
            case CommandId.Rename: KeyCommands.Rename(ref ctx, onlyIfAbsent: false); break;
            case CommandId.RenameNx: KeyCommands.Rename(ref ctx, onlyIfAbsent: true); break;
            case CommandId.RandomKey: KeyCommands.RandomKey(ref ctx); break;
            case CommandId.Copy: KeyCommands.Copy(ref ctx); break;

            case CommandId.Object: ObjectCommand.Execute(ref ctx); break;
            case CommandId.DbSize: ServerCommands.DbSize(ref ctx); break;
            case CommandId.FlushDb: ServerCommands.Flush(ref ctx, all: false); break;
            case CommandId.FlushAll: ServerCommands.Flush(ref ctx, all: true); break;

            default:
                var handled = false;
                switch ((int)ctx.Command.Id / 100)
                {
                    case 3: ExecuteBits(ref ctx, ref handled); break;
                    case 4: ExecuteHashes(ref ctx, ref handled); break;
                    case 5: ExecuteLists(ref ctx, ref handled); break;
                    case 6: ExecuteSets(ref ctx, ref handled); break;
                    case 7: ExecuteSortedSets(ref ctx, ref handled); break;
                    case 9: ExecuteTransactions(ref ctx, ref handled); break;
                    case 10: ExecuteHyperLogLogs(ref ctx, ref handled); break;
                }
                if (!handled)
                {
                    Replies.Error(ctx.Reply, $"ERR command '{ctx.Name}' is not served by the dataset");
                }
                break;
        }
    }
}
