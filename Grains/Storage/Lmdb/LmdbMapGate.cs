namespace IceFire.Grains.Storage.Lmdb;

/// <summary>
/// Keeps the memory map from moving under a live reader: read transactions hold the gate shared,
/// <see cref="LmdbEnvironment.Grow"/> and <see cref="LmdbEnvironment.Dispose"/> hold it exclusively.
/// Unlike <see cref="ReaderWriterLockSlim"/> it is not tied to threads, because LMDB's MDB_NOTLS lets a
/// read transaction end on another thread than the one that began it and lets one thread hold several.
/// A waiting exclusive holder stops new readers, so a steady read load cannot starve Grow; the price is
/// that a thread must not begin a read transaction while it holds one and a Grow may be waiting.
/// Readers take no lock unless an exclusive holder is waiting: a reader announces itself, then checks
/// the flag; the exclusive holder raises the flag, then counts readers. Both steps are full fences, so
/// at least one side sees the other.
/// </summary>
internal sealed class LmdbMapGate
{
    private readonly object _sync = new();
    private int _readers;
    private int _exclusive;

    public void EnterShared()
    {
        while (true)
        {
            Interlocked.Increment(ref _readers);
            if (Volatile.Read(ref _exclusive) == 0)
            {
                return;
            }
            // An exclusive holder is waiting or inside: step back (waking it if it waits for us) and wait.
            ExitShared();
            lock (_sync)
            {
                while (Volatile.Read(ref _exclusive) != 0)
                {
                    Monitor.Wait(_sync);
                }
            }
        }
    }

    public void ExitShared()
    {
        var left = Interlocked.Decrement(ref _readers);
        if (left < 0)
        {
            Interlocked.Increment(ref _readers);
            throw new InvalidOperationException("the map gate was left more often than it was entered");
        }
        if (left == 0 && Volatile.Read(ref _exclusive) != 0)
        {
            lock (_sync)
            {
                Monitor.PulseAll(_sync);
            }
        }
    }

    public void EnterExclusive()
    {
        lock (_sync)
        {
            while (Interlocked.CompareExchange(ref _exclusive, 1, 0) != 0)
            {
                Monitor.Wait(_sync);
            }
            while (Volatile.Read(ref _readers) > 0)
            {
                Monitor.Wait(_sync);
            }
        }
    }

    public void ExitExclusive()
    {
        lock (_sync)
        {
            Volatile.Write(ref _exclusive, 0);
            Monitor.PulseAll(_sync);
        }
    }
}
