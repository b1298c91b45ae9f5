namespace IceFire.Grains.Tenants.Replication;

/// <summary>
/// A loop with no thread of its own: it runs a turn on the thread pool when woken (<see cref="Wake"/>) or when the
/// wait the previous turn asked for has passed, never two turns at once. A silo holds thousands of replicas, each with
/// one of these, and an idle one costs a registered wait, not a thread.
/// </summary>
internal sealed class ThreadPoolLoop(Func<TimeSpan> turn)
{
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Lock _lock = new();
    private RegisteredWaitHandle? _wait;
    private bool _started;
    private volatile bool _stopping;

    /// <summary>The event that wakes the loop, for whoever needs to set it directly.</summary>
    public ManualResetEventSlim WakeEvent => _wake;

    /// <summary>True once <see cref="Stop"/> was called.</summary>
    public bool Stopping => _stopping;

    /// <summary>Starts the loop: its first turn comes when woken or after <paramref name="firstWait"/>.</summary>
    public void Start(TimeSpan firstWait)
    {
        lock (_lock)
        {
            if (_started || _stopping)
            {
                return;
            }
            _started = true;
            Arm(firstWait);
        }
    }

    /// <summary>Asks for a turn as soon as possible.</summary>
    public void Wake() => _wake.Set();

    /// <summary>Stops the loop; a turn in progress finishes first, and none starts after.</summary>
    public void Stop()
    {
        _stopping = true;
        lock (_lock)
        {
            _wait?.Unregister(null);
            _wait = null;
        }
    }

    private void Arm(TimeSpan wait) =>
        _wait = ThreadPool.RegisterWaitForSingleObject(_wake.WaitHandle, static (state, _) => ((ThreadPoolLoop)state!).Turn(), this, wait, executeOnlyOnce: true);

    private void Turn()
    {
        lock (_lock)
        {
            _wait?.Unregister(null);
            _wait = null;
            if (_stopping)
            {
                return;
            }
            _wake.Reset();
            Arm(turn());
        }
    }
}
