using System.Diagnostics;

namespace IceFire.Silo.Tests.Fuzz;

/// <summary>
/// Another client's view of the server while it is being fuzzed: runs a cheap request every interval
/// and records how long each took. A request that fails, or takes longer than the limit, is a missed
/// liveness check.
/// </summary>
internal sealed class LivenessProbe : IAsyncDisposable
{
    private readonly Func<CancellationToken, Task> _check;
    private readonly TimeSpan _limit;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _misses = [];
    private readonly Task _loop;
    private long _checks;
    private long _maxMicros;

    public LivenessProbe(Func<CancellationToken, Task> check, TimeSpan interval, TimeSpan limit)
    {
        _check = check;
        _limit = limit;
        _loop = Task.Run(() => RunAsync(interval));
    }

    public long Checks => Interlocked.Read(ref _checks);

    public TimeSpan Slowest => TimeSpan.FromMicroseconds(Interlocked.Read(ref _maxMicros));

    public IReadOnlyList<string> Misses
    {
        get
        {
            lock (_misses)
            {
                return [.. _misses];
            }
        }
    }

    private async Task RunAsync(TimeSpan interval)
    {
        while (!_stop.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(_limit);
                await _check(timeout.Token);
                var micros = (long)clock.Elapsed.TotalMicroseconds;
                if (micros > Interlocked.Read(ref _maxMicros))
                {
                    Interlocked.Exchange(ref _maxMicros, micros);
                }
                if (clock.Elapsed > _limit)
                {
                    Miss($"a check took {clock.ElapsedMilliseconds} ms");
                }
            }
            catch (Exception e) when (!_stop.IsCancellationRequested)
            {
                Miss($"a check failed after {clock.ElapsedMilliseconds} ms: {e.GetType().Name}: {e.Message}");
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Interlocked.Increment(ref _checks);
            try
            {
                // The probe's pace: one check every interval is what this probe is.
                await Task.Delay(interval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Miss(string what)
    {
        lock (_misses)
        {
            _misses.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {what}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
