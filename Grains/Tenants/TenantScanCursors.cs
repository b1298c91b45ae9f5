namespace IceFire.Grains.Tenants;

/// <summary>
/// SCAN's cursors. Redis' cursor is a number; IceFire's keyspace is ordered, so a cursor number names the
/// encoded key where the next call resumes. The table is bounded: an unknown or evicted cursor restarts the
/// walk, which SCAN's contract allows (elements may be returned more than once). Thread-safe.
/// </summary>
internal sealed class TenantScanCursors
{
    private const int Capacity = 16_384;
    private readonly Dictionary<ulong, (int Db, byte[] ResumeAt)> _cursors = new();
    private readonly Queue<ulong> _order = new();
    private ulong _next = (ulong)Random.Shared.NextInt64(1, 1L << 40);

    /// <summary>Remembers where to resume; returns the cursor number for the client.</summary>
    public ulong Save(int db, ReadOnlySpan<byte> resumeAt)
    {
        lock (_cursors)
        {
            var id = ++_next;
            _cursors[id] = (db, resumeAt.ToArray());
            _order.Enqueue(id);
            while (_order.Count > Capacity)
            {
                _cursors.Remove(_order.Dequeue());
            }
            return id;
        }
    }

    /// <summary>Where cursor <paramref name="id"/> resumes in <paramref name="db"/>; null for a fresh walk.</summary>
    public byte[]? Find(int db, ulong id)
    {
        lock (_cursors)
        {
            return _cursors.TryGetValue(id, out var entry) && entry.Db == db ? entry.ResumeAt : null;
        }
    }
}
