using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;
using IceFire.Grains.Storage.Lmdb;

namespace IceFire.Grains.Tenants;

internal static partial class TenantStateMachine
{
    /// <summary>
    /// Runs a batch that writes nothing on <paramref name="txn"/>, a read transaction, with the reader's clock.
    /// <paramref name="events"/>, given only on the writer (or a replicated tenant's leader), lets WATCH and UNWATCH run.
    /// </summary>
    public static void ExecuteReads(RedisKeyspace keyspace, LmdbTransaction txn, CommandBatch batch, long nowMs,
        TenantScanCursors cursors, TenantEvents? events = null)
    {
        var ctx = new CommandContext
        {
            Keyspace = keyspace,
            Txn = txn,
            Batch = batch,
            Reply = batch.Replies,
            NowMs = nowMs,
            Cursors = cursors,
            Random = Random.Shared,
            Events = events,
        };
        for (var i = 0; i < batch.Count; i++)
        {
            ctx.Command = batch[i];
            Execute(ref ctx);
        }
    }
}
