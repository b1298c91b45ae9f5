using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants.Replication;

/// <summary>
/// Blocking commands on a replicated tenant: a blocked client waits on the leader (<see cref="BlockedClients"/>).
/// When an applied write fills a key someone waits on, the leader proposes that client's command again; its entry
/// pops on every replica alike, or, when another client was first, parks it again in its place.
/// </summary>
public sealed partial class ReplicatedTenant
{
    /// <inheritdoc />
    public Task<bool> UnblockAsync(CommandBatch batch, UnblockReason reason) => _blocked.RequestUnblock(batch, reason, () => _loop.Stopping);

    /// <summary>Proposes the blocking command of each batch again, alone, in one entry.</summary>
    private void ProposeServes(List<CommandBatch> waiters)
    {
        if (_group is not { } group)
        {
            return;
        }
        var commands = new List<CommandBatch>(waiters.Count);
        foreach (var waiter in waiters)
        {
            var command = waiter[waiter.Count - 1];
            var alone = new CommandBatch(_discard);
            alone.Add(CommandTable.Get(command.Id), command.Db, waiter.Args(command));
            commands.Add(alone);
        }
        lock (_proposeLock)
        {
            ProposeLocked(group, [.. waiters], commands, NowMs, serve: true);
        }
    }
}
