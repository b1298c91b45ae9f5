using System.Globalization;
using System.Text;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Streams;
using Orleans.Streams;

namespace IceFire.Grains.Tenants;

/// <summary>
/// Keyspace notifications, the first consumer of a tenant's log: it subscribes to the replica's log from the next entry
/// on, asks for the changes of the classes notify-keyspace-events enables, and publishes those of the entries the
/// replica applied as leader, so each is heard once however many replicas apply it. An entry reaches the log's
/// subscribers once it is committed and applied, before the writers get their replies, so a subscriber never hears of
/// a write that could still be lost.
/// </summary>
internal sealed class KeyspaceNotifier(KeyspaceEventSettings settings, IPubSub pubSub) : IAsyncObserver<CommittedEntry>, IKeyChangeFilter
{
    private static readonly byte[] KeyspacePrefix = "__keyspace@"u8.ToArray();
    private static readonly byte[] KeyeventPrefix = "__keyevent@"u8.ToArray();

    public bool WantsChanges(KeyspaceEventFlags eventClass) => settings.Publishes(eventClass);

    /// <summary>An entry that changed no key of an enabled class has nothing to notify.</summary>
    public bool ChangesOnly => true;

    public Task OnNextAsync(CommittedEntry item, StreamSequenceToken? token = null)
    {
        if (!item.AppliedAsLeader || item.Changes is not { } changes)
        {
            return Task.CompletedTask;
        }
        var flags = settings.Flags;
        foreach (var change in changes)
        {
            var name = KeyEvents.Name(change.Event);
            var db = Encoding.ASCII.GetBytes(change.Db.ToString(CultureInfo.InvariantCulture));
            if ((flags & KeyspaceEventFlags.Keyspace) != 0)
            {
                Forget(pubSub.PublishAsync(Channel(KeyspacePrefix, db, change.Key), name));
            }
            if ((flags & KeyspaceEventFlags.Keyevent) != 0)
            {
                Forget(pubSub.PublishAsync(Channel(KeyeventPrefix, db, name), change.Key));
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>A gap (a snapshot installed on this replica, never on its leader) has nothing to notify.</summary>
    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    /// <summary>The writer does not wait for deliveries; a publish never fails because of a subscriber.</summary>
    private static void Forget(ValueTask<long> delivery)
    {
        if (delivery.IsCompleted)
        {
            _ = delivery.Result;
        }
        else
        {
            _ = delivery.AsTask();
        }
    }

    /// <summary><c>__keyspace@0__:key</c> or <c>__keyevent@0__:event</c>.</summary>
    private static byte[] Channel(byte[] prefix, byte[] db, ReadOnlySpan<byte> suffix)
    {
        var channel = new byte[prefix.Length + db.Length + 3 + suffix.Length];
        prefix.CopyTo(channel, 0);
        db.CopyTo(channel, prefix.Length);
        "__:"u8.CopyTo(channel.AsSpan(prefix.Length + db.Length));
        suffix.CopyTo(channel.AsSpan(prefix.Length + db.Length + 3));
        return channel;
    }
}
