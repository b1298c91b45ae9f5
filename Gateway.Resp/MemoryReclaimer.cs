using System.Runtime;

namespace IceFire.Gateway.Resp;

/// <summary>
/// Gives memory back to the operating system after a burst. Connections report the large buffers they drop (a big
/// request, a large reply buffer, a long MULTI queue); once 64 MiB have been dropped, a full compacting collection that
/// decommits free memory runs on the thread pool, at most once every five seconds. Without it an idle silo keeps the
/// burst's pages: the GC collects only when something allocates, and an idle server allocates almost nothing.
/// </summary>
internal sealed class MemoryReclaimer
{
    private const long ThresholdBytes = 64L << 20;
    private const long MinIntervalMilliseconds = 5000;

    private long _released;
    private long _lastCollectTicks = -MinIntervalMilliseconds;
    private int _scheduled;

    /// <summary>Buffers that reached at least this size are worth reporting.</summary>
    public const int ReportBytes = 1 << 20;

    /// <summary>Notes that <paramref name="bytes"/> of large buffers were just let go; thread-safe.</summary>
    public void Released(long bytes)
    {
        if (Interlocked.Add(ref _released, bytes) < ThresholdBytes || Interlocked.Exchange(ref _scheduled, 1) == 1)
        {
            return;
        }
        _ = CollectAsync();
    }

    private async Task CollectAsync()
    {
        try
        {
            var wait = Volatile.Read(ref _lastCollectTicks) + MinIntervalMilliseconds - Environment.TickCount64;
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait));
            }
            else
            {
                await Task.Yield();
            }
            Interlocked.Exchange(ref _released, 0);
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            Volatile.Write(ref _lastCollectTicks, Environment.TickCount64);
        }
        finally
        {
            Volatile.Write(ref _scheduled, 0);
        }
    }
}
