using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants.Commands;

namespace IceFire.Grains.Tenants;

internal static partial class TenantStateMachine
{
    static partial void ExecuteSets(ref CommandContext ctx, ref bool handled)
    {
        handled = true;
        switch (ctx.Command.Id)
        {
            case CommandId.SAdd: SetCommands.SAdd(ref ctx); break;
            case CommandId.SRem: SetCommands.SRem(ref ctx); break;
            case CommandId.SMembers: SetCommands.SMembers(ref ctx); break;
            case CommandId.SIsMember: SetCommands.SIsMember(ref ctx, many: false); break;
            case CommandId.SMIsMember: SetCommands.SIsMember(ref ctx, many: true); break;
            case CommandId.SCard: SetCommands.SCard(ref ctx); break;
            case CommandId.SPop: SetCommands.SPop(ref ctx); break;
            case CommandId.SRandMember: SetCommands.SRandMember(ref ctx); break;
            case CommandId.SInter: SetCommands.Combine(ref ctx, SetOperation.Inter, store: false); break;
            case CommandId.SUnion: SetCommands.Combine(ref ctx, SetOperation.Union, store: false); break;
            case CommandId.SDiff: SetCommands.Combine(ref ctx, SetOperation.Diff, store: false); break;
            case CommandId.SInterStore: SetCommands.Combine(ref ctx, SetOperation.Inter, store: true); break;
            case CommandId.SUnionStore: SetCommands.Combine(ref ctx, SetOperation.Union, store: true); break;
            case CommandId.SDiffStore: SetCommands.Combine(ref ctx, SetOperation.Diff, store: true); break;
            case CommandId.SInterCard: SetCommands.SInterCard(ref ctx); break;
            case CommandId.SMove: SetCommands.SMove(ref ctx); break;
            case CommandId.SScan: SetCommands.SScan(ref ctx); break;
            default: handled = false; break;
        }
    }
}
