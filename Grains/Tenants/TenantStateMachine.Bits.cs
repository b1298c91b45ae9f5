using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants.Commands;

namespace IceFire.Grains.Tenants;

internal static partial class TenantStateMachine
{
    static partial void ExecuteBits(ref CommandContext ctx, ref bool handled)
    {
        handled = true;
        switch (ctx.Command.Id)
        {
            case CommandId.SetBit: BitCommands.SetBit(ref ctx); break;
            case CommandId.GetBit: BitCommands.GetBit(ref ctx); break;
            case CommandId.BitCount: BitCommands.BitCount(ref ctx); break;
            case CommandId.BitPos: BitCommands.BitPos(ref ctx); break;
            case CommandId.BitOp: BitCommands.BitOp(ref ctx); break;
            case CommandId.BitField: BitCommands.BitField(ref ctx, readOnly: false); break;
            case CommandId.BitFieldRo: BitCommands.BitField(ref ctx, readOnly: true); break;
            default: handled = false; break;
        }
    }
}
