namespace IceFire.Grains.Storage.Lmdb;

/// <summary>
/// Keeps the memory map from moving under a live reader: read transactions hold the gate shared,
/// <see cref="LmdbEnvironment.Grow"/> and <see cref="LmdbEnvironment.Dispose"/> hold it exclusively.
/// Unlike <see cref="ReaderWriterLockSlim"/> it is not tied to threads, because LMDB's MDB_NOTLS lets a
/// read transaction end on another thread than the one that began it and lets one thread hold several.
/// A waiting exclusive holder stops new readers, so a steady read load cannot starve Grow; the price is
/// that a thread must not begin a read transaction while it holds one and a Grow may be waiting.
/// </summary>
internal sealed class LmdbMapGate
{
    private readonly object _sync = new();
    private int _readers;
    private bool _exclusive;

    public void EnterShared()
    {
        lock (_sync)
        {
            while (_exclusive)
            {
                Monitor.Wait(_sync);
            }
            _readers++;
        }
    }

    public void ExitShared()
    {
        lock (_sync)
        {
            if (_readers <= 0)
            {
                throw new InvalidOperationException("the map gate was left more often than it was entered");
            }
            if (--_readers == 0 && _exclusive)
            {
                Monitor.PulseAll(_sync);
            }
        }
    }

    public void EnterExclusive()
    {
        lock (_sync)
        {
            while (_exclusive)
            {
                Monitor.Wait(_sync);
            }
            _exclusive = true;
            while (_readers > 0)
            {
                Monitor.Wait(_sync);
            }
        }
    }

    public void ExitExclusive()
    {
        lock (_sync)
        {
            _exclusive = false;
            Monitor.PulseAll(_sync);
        }
    }
}
