using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants.Commands;

namespace IceFire.Grains.Tenants;

internal static partial class TenantStateMachine
{
    static partial void ExecuteSortedSets(ref CommandContext ctx, ref bool handled)
    {
        handled = true;
        switch (ctx.Command.Id)
        {
            case CommandId.ZAdd: SortedSetCommands.ZAdd(ref ctx, isIncrBy: false); break;
            case CommandId.ZIncrBy: SortedSetCommands.ZAdd(ref ctx, isIncrBy: true); break;
            case CommandId.ZRem: SortedSetCommands.ZRem(ref ctx); break;
            case CommandId.ZScore: SortedSetCommands.ZScore(ref ctx); break;
            case CommandId.ZMScore: SortedSetCommands.ZMScore(ref ctx); break;
            case CommandId.ZCard: SortedSetCommands.ZCard(ref ctx); break;
            case CommandId.ZCount: SortedSetCommands.ZCount(ref ctx, RangeKind.Score); break;
            case CommandId.ZLexCount: SortedSetCommands.ZCount(ref ctx, RangeKind.Lex); break;
            case CommandId.ZRank: SortedSetCommands.ZRank(ref ctx, reverse: false); break;
            case CommandId.ZRevRank: SortedSetCommands.ZRank(ref ctx, reverse: true); break;
            case CommandId.ZRange: SortedSetCommands.ZRange(ref ctx, store: false, null, null); break;
            case CommandId.ZRangeStore: SortedSetCommands.ZRange(ref ctx, store: true, null, null); break;
            case CommandId.ZRangeByScore: SortedSetCommands.ZRange(ref ctx, store: false, RangeKind.Score, false); break;
            case CommandId.ZRevRangeByScore: SortedSetCommands.ZRange(ref ctx, store: false, RangeKind.Score, true); break;
            case CommandId.ZRangeByLex: SortedSetCommands.ZRange(ref ctx, store: false, RangeKind.Lex, false); break;
            case CommandId.ZRevRangeByLex: SortedSetCommands.ZRange(ref ctx, store: false, RangeKind.Lex, true); break;
            case CommandId.ZRevRange: SortedSetCommands.ZRange(ref ctx, store: false, RangeKind.Rank, true); break;
            case CommandId.ZPopMin: SortedSetCommands.ZPop(ref ctx, max: false); break;
            case CommandId.ZPopMax: SortedSetCommands.ZPop(ref ctx, max: true); break;
            case CommandId.BZPopMin: BlockingCommands.BZPop(ref ctx, max: false); break;
            case CommandId.BZPopMax: BlockingCommands.BZPop(ref ctx, max: true); break;
            case CommandId.BZMPop: BlockingCommands.BZMPop(ref ctx); break;
            case CommandId.ZRemRangeByRank: SortedSetCommands.ZRemRange(ref ctx, RangeKind.Rank); break;
            case CommandId.ZRemRangeByScore: SortedSetCommands.ZRemRange(ref ctx, RangeKind.Score); break;
            case CommandId.ZRemRangeByLex: SortedSetCommands.ZRemRange(ref ctx, RangeKind.Lex); break;
            case CommandId.ZMPop: SortedSetCommands.ZMPop(ref ctx); break;
            case CommandId.ZUnion: SortedSetCommands.Combine(ref ctx, SetOperation.Union, store: false); break;
            case CommandId.ZInter: SortedSetCommands.Combine(ref ctx, SetOperation.Inter, store: false); break;
            case CommandId.ZDiff: SortedSetCommands.Combine(ref ctx, SetOperation.Diff, store: false); break;
            case CommandId.ZUnionStore: SortedSetCommands.Combine(ref ctx, SetOperation.Union, store: true); break;
            case CommandId.ZInterStore: SortedSetCommands.Combine(ref ctx, SetOperation.Inter, store: true); break;
            case CommandId.ZDiffStore: SortedSetCommands.Combine(ref ctx, SetOperation.Diff, store: true); break;
            case CommandId.ZInterCard: SortedSetCommands.ZInterCard(ref ctx); break;
            case CommandId.ZRandMember: SortedSetCommands.ZRandMember(ref ctx); break;
            case CommandId.ZScan: SortedSetCommands.ZScan(ref ctx); break;
            default: handled = false; break;
        }
    }
}
