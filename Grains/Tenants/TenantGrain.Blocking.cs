using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants;

/// <summary>
/// Blocking commands: the writer keeps the waiting clients (<see cref="BlockedClients"/>), serves them
/// after the writes that fill their keys, and ends their waits on timeout, CLIENT UNBLOCK or disconnect.
/// </summary>
public sealed partial class TenantGrain
{
    private BlockedClients? _blockedClients;

    // Made on first use, by the writer or by an UNBLOCK request from another thread, whichever comes first.
    private BlockedClients Blocked =>
        _blockedClients ?? Interlocked.CompareExchange(ref _blockedClients, new BlockedClients(_wake), null) ?? _blockedClients;

    /// <inheritdoc />
    public Task<bool> UnblockAsync(CommandBatch batch, UnblockReason reason) => Blocked.RequestUnblock(batch, reason, () => _writerDone);

    /// <summary>Writer thread: how long to sleep when idle, so that a blocked client's timeout is not late.</summary>
    private TimeSpan IdleWait() => Blocked.WaitBudget(_options.SweepInterval, _options.Time.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>Writer thread, between groups: ends the waits that timed out or were asked to end.</summary>
    private void EndBlockedWaits(List<CommandBatch> awaitingSync) =>
        Blocked.EndWaits(_options.Time.GetUtcNow().ToUnixTimeMilliseconds(), awaitingSync);
}
