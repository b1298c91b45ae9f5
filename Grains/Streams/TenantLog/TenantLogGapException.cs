namespace IceFire.Grains.Streams;

/// <summary>
/// Told to a tenant-log subscriber through <c>OnErrorAsync</c>: entries <see cref="First"/> to <see cref="Last"/> will
/// not be delivered, because a snapshot replaced them (they were compacted out of the log before the subscriber read
/// them, or this replica installed a snapshot that covers them). The subscription goes on after <see cref="Last"/>; a
/// consumer that needs every entry takes the tenant's state from a snapshot instead.
/// </summary>
public sealed class TenantLogGapException(string tenant, ulong first, ulong last)
    : Exception($"tenant {tenant}: log entries {first} to {last} were compacted into a snapshot and are not delivered")
{
    /// <summary>The tenant whose log it is.</summary>
    public string Tenant { get; } = tenant;

    /// <summary>The first index not delivered.</summary>
    public ulong First { get; } = first;

    /// <summary>The last index not delivered.</summary>
    public ulong Last { get; } = last;
}
