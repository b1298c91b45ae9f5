using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants.Commands;

namespace IceFire.Grains.Tenants;

internal static partial class TenantStateMachine
{
    static partial void ExecuteLists(ref CommandContext ctx, ref bool handled)
    {
        handled = true;
        switch (ctx.Command.Id)
        {
            case CommandId.LPush: ListCommands.Push(ref ctx, left: true, onlyIfExists: false); break;
            case CommandId.RPush: ListCommands.Push(ref ctx, left: false, onlyIfExists: false); break;
            case CommandId.LPushX: ListCommands.Push(ref ctx, left: true, onlyIfExists: true); break;
            case CommandId.RPushX: ListCommands.Push(ref ctx, left: false, onlyIfExists: true); break;
            case CommandId.LPop: ListCommands.Pop(ref ctx, left: true); break;
            case CommandId.RPop: ListCommands.Pop(ref ctx, left: false); break;
            case CommandId.LLen: ListCommands.LLen(ref ctx); break;
            case CommandId.LIndex: ListCommands.LIndex(ref ctx); break;
            case CommandId.LSet: ListCommands.LSet(ref ctx); break;
            case CommandId.LRange: ListCommands.LRange(ref ctx); break;
            case CommandId.LTrim: ListCommands.LTrim(ref ctx); break;
            case CommandId.LInsert: ListCommands.LInsert(ref ctx); break;
            case CommandId.LRem: ListCommands.LRem(ref ctx); break;
            case CommandId.LPos: ListCommands.LPos(ref ctx); break;
            case CommandId.LMove: ListCommands.LMove(ref ctx, fixedRightLeft: false); break;
            case CommandId.RPopLPush: ListCommands.LMove(ref ctx, fixedRightLeft: true); break;
            case CommandId.LMPop: ListCommands.LMPop(ref ctx); break;
            case CommandId.BLPop: BlockingCommands.BPop(ref ctx, left: true); break;
            case CommandId.BRPop: BlockingCommands.BPop(ref ctx, left: false); break;
            case CommandId.BLMove: BlockingCommands.BLMove(ref ctx, fixedRightLeft: false); break;
            case CommandId.BRPopLPush: BlockingCommands.BLMove(ref ctx, fixedRightLeft: true); break;
            case CommandId.BLMPop: BlockingCommands.BLMPop(ref ctx); break;
            default: handled = false; break;
        }
    }
}
