using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;
using IceFire.Grains.Streams;
using IceFire.Raft;

namespace IceFire.Grains.Tenants;

/// <summary>
/// What the tenant's writes tell others: the watches of WATCH, touched by every change, and the replica's log
/// (<see cref="TenantLog"/>), which gets each committed entry with the key changes its subscribers asked for once the
/// transaction that applied it commits.
/// </summary>
/// <remarks>Used only on the tenant's writer thread, under the apply's lock.</remarks>
internal sealed class TenantEvents(TenantLog log) : IKeyspaceObserver
{
    private readonly List<KeyChange> _changes = [];
    private readonly List<CommittedEntry> _committed = [];

    public KeyWatches Watches { get; } = new();

    public TenantLog Log { get; } = log;

    /// <summary>Starts a write transaction whose changes <see cref="Rollback"/> can undo.</summary>
    public void Begin()
    {
        Watches.Begin();
        _changes.Clear();
        _committed.Clear();
    }

    /// <summary>The transaction did not commit: forget its entries and undo its watch changes.</summary>
    public void Rollback()
    {
        Watches.Rollback();
        _changes.Clear();
        _committed.Clear();
    }

    /// <summary>Records that a write did <paramref name="e"/> to <paramref name="key"/> (signalModifiedKey and notifyKeyspaceEvent).</summary>
    public void Changed(int db, KeyEvent e, ReadOnlySpan<byte> key)
    {
        if (e != KeyEvent.New)
        {
            Watches.Touch(db, key, byExpiry: e == KeyEvent.Expired);
        }
        if (Log.WantsChanges(KeyEvents.Class(e)))
        {
            _changes.Add(new KeyChange(db, e, key.ToArray()));
        }
    }

    void IKeyspaceObserver.KeyCreated(int db, ReadOnlySpan<byte> key)
    {
        if (Log.WantsChanges(KeyspaceEventFlags.New))
        {
            _changes.Add(new KeyChange(db, KeyEvent.New, key.ToArray()));
        }
    }

    void IKeyspaceObserver.KeyExpired(int db, ReadOnlySpan<byte> key) => Changed(db, KeyEvent.Expired, key);

    /// <summary>The apply of <paramref name="entry"/> is done: it goes to the log's subscribers with its changes once the transaction commits.</summary>
    public void Applied(Entry entry, bool leader)
    {
        if (entry.Type == EntryType.Normal && entry.Data.Length > 0 && (_changes.Count > 0 || Log.WantsEveryEntry))
        {
            _committed.Add(new CommittedEntry(Log.Tenant, entry.Index, entry.Term, entry.Data, _changes.Count == 0 ? null : [.. _changes], leader));
        }
        _changes.Clear();
    }

    /// <summary>The transaction committed: hand its entries to the log's subscribers.</summary>
    public void PublishCommitted()
    {
        if (_committed.Count > 0)
        {
            Log.Deliver(_committed);
            _committed.Clear();
        }
    }
}
