using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants.Commands;

namespace IceFire.Grains.Tenants;

internal static partial class TenantStateMachine
{
    static partial void ExecuteHashes(ref CommandContext ctx, ref bool handled)
    {
        handled = true;
        switch (ctx.Command.Id)
        {
            case CommandId.HSet: HashCommands.HSet(ref ctx, replyOk: false); break;
            case CommandId.HMSet: HashCommands.HSet(ref ctx, replyOk: true); break;
            case CommandId.HSetNx: HashCommands.HSetNx(ref ctx); break;
            case CommandId.HGet: HashCommands.HGet(ref ctx); break;
            case CommandId.HMGet: HashCommands.HMGet(ref ctx); break;
            case CommandId.HGetAll: HashCommands.HGetAll(ref ctx, fields: true, values: true); break;
            case CommandId.HKeys: HashCommands.HGetAll(ref ctx, fields: true, values: false); break;
            case CommandId.HVals: HashCommands.HGetAll(ref ctx, fields: false, values: true); break;
            case CommandId.HDel: HashCommands.HDel(ref ctx); break;
            case CommandId.HExists: HashCommands.HExists(ref ctx); break;
            case CommandId.HLen: HashCommands.HLen(ref ctx); break;
            case CommandId.HStrLen: HashCommands.HStrLen(ref ctx); break;
            case CommandId.HIncrBy: HashCommands.HIncrBy(ref ctx); break;
            case CommandId.HIncrByFloat: HashCommands.HIncrByFloat(ref ctx); break;
            case CommandId.HRandField: HashCommands.HRandField(ref ctx); break;
            case CommandId.HScan: HashCommands.HScan(ref ctx); break;
            default: handled = false; break;
        }
    }
}
