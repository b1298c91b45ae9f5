using System.Globalization;
using System.Text;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants;

/// <summary>
/// What the tenant's writes tell others: the watches of WATCH, touched by every change, and keyspace
/// notifications, collected during a write transaction and published once its group is acknowledged, so
/// a subscriber never hears of a write that could still be lost or rolled back.
/// </summary>
/// <remarks>Used only on the tenant's writer thread, except that the settings may change at any time.</remarks>
internal sealed class TenantEvents : IKeyspaceObserver
{
    private static readonly byte[] KeyspacePrefix = "__keyspace@"u8.ToArray();
    private static readonly byte[] KeyeventPrefix = "__keyevent@"u8.ToArray();

    private readonly KeyspaceEventSettings _settings;
    private readonly IPubSub? _pubSub;
    private List<Notification> _current = [];
    private List<Notification> _deferred = [];

    public TenantEvents(KeyspaceEventSettings settings, IPubSub? pubSub)
    {
        _settings = settings;
        _pubSub = pubSub;
    }

    public KeyWatches Watches { get; } = new();

    /// <summary>Starts a write transaction whose changes <see cref="Rollback"/> can undo.</summary>
    public void Begin()
    {
        Watches.Begin();
        _current.Clear();
    }

    /// <summary>The transaction did not commit: forget its notifications and undo its watch changes.</summary>
    public void Rollback()
    {
        Watches.Rollback();
        _current.Clear();
    }

    /// <summary>Records that a write did <paramref name="e"/> to <paramref name="key"/> (signalModifiedKey and notifyKeyspaceEvent).</summary>
    public void Changed(int db, KeyEvent e, ReadOnlySpan<byte> key)
    {
        if (e != KeyEvent.New)
        {
            Watches.Touch(db, key, byExpiry: e == KeyEvent.Expired);
        }
        if (_pubSub is not null && _settings.Publishes(KeyEvents.Class(e)))
        {
            _current.Add(new Notification(db, e, key.ToArray()));
        }
    }

    void IKeyspaceObserver.KeyCreated(int db, ReadOnlySpan<byte> key)
    {
        if (_pubSub is not null && _settings.Publishes(KeyspaceEventFlags.New))
        {
            _current.Add(new Notification(db, KeyEvent.New, key.ToArray()));
        }
    }

    void IKeyspaceObserver.KeyExpired(int db, ReadOnlySpan<byte> key) => Changed(db, KeyEvent.Expired, key);

    /// <summary>The committed transaction is acknowledged now: publish its notifications.</summary>
    public void PublishCommitted()
    {
        Publish(_current);
    }

    /// <summary>
    /// The committed transaction is acknowledged only with the next sync: publish what was waiting for this
    /// one and keep this one's notifications until then.
    /// </summary>
    public void DeferCommitted()
    {
        Publish(_deferred);
        (_current, _deferred) = (_deferred, _current);
    }

    /// <summary>A sync made the deferred transaction durable.</summary>
    public void PublishDeferred() => Publish(_deferred);

    /// <summary>The deferred transaction was not made durable; its notifications are dropped with it.</summary>
    public void DropDeferred() => _deferred.Clear();

    private void Publish(List<Notification> notifications)
    {
        if (notifications.Count == 0)
        {
            return;
        }
        var flags = _settings.Flags;
        foreach (var n in notifications)
        {
            var name = KeyEvents.Name(n.Event);
            var db = Encoding.ASCII.GetBytes(n.Db.ToString(CultureInfo.InvariantCulture));
            if ((flags & KeyspaceEventFlags.Keyspace) != 0)
            {
                Forget(_pubSub!.PublishAsync(Channel(KeyspacePrefix, db, n.Key), name));
            }
            if ((flags & KeyspaceEventFlags.Keyevent) != 0)
            {
                Forget(_pubSub!.PublishAsync(Channel(KeyeventPrefix, db, name), n.Key));
            }
        }
        notifications.Clear();
    }

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

    private readonly record struct Notification(int Db, KeyEvent Event, byte[] Key);
}
