using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants.Commands;

namespace IceFire.Grains.Tenants;

internal static partial class TenantStateMachine
{
    static partial void ExecuteHyperLogLogs(ref CommandContext ctx, ref bool handled)
    {
        handled = true;
        switch (ctx.Command.Id)
        {
            case CommandId.PfAdd: HyperLogLogCommands.PfAdd(ref ctx); break;
            case CommandId.PfCount: HyperLogLogCommands.PfCount(ref ctx); break;
            case CommandId.PfMerge: HyperLogLogCommands.PfMerge(ref ctx); break;
            case CommandId.PfDebug: HyperLogLogCommands.PfDebug(ref ctx); break;
            default: handled = false; break;
        }
    }
}
