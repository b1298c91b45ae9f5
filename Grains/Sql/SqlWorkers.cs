namespace IceFire.Grains.Sql;

/// <summary>
/// The threads SQLite statements step on: dedicated threads, started on demand and ended after a while idle, so a
/// statement that runs for seconds holds one of these and never a thread-pool thread the gateways and the cluster
/// need. How many a tenant holds at once is bounded by its statement cap (<see cref="LocalSqlTenant.StatementSlots"/>);
/// past <see cref="MaxThreads"/> busy threads, work waits in a queue for the next free one. Thread-safe.
/// </summary>
internal static class SqlWorkers
{
    /// <summary>The most threads running statements at once, all tenants together.</summary>
    public const int MaxThreads = 64;

    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);
    private static readonly Lock Gate = new();
    private static readonly Queue<WorkItem> Waiting = new();
    private static readonly List<Worker> Idle = [];
    private static int _threads;

    /// <summary>Runs <paramref name="work"/> on a worker; its exception, if any, faults the task.</summary>
    public static Task<T> RunAsync<T>(Func<T> work)
    {
        var item = new WorkItem<T>(work);
        Worker? idle = null;
        var start = false;
        lock (Gate)
        {
            if (Idle.Count > 0)
            {
                idle = Idle[^1];
                Idle.RemoveAt(Idle.Count - 1);
                idle.Assigned = item;
            }
            else if (_threads < MaxThreads)
            {
                _threads++;
                start = true;
            }
            else
            {
                Waiting.Enqueue(item);
            }
        }
        if (idle is not null)
        {
            idle.Wake.Release();
        }
        else if (start)
        {
            new Thread(new Worker().Loop) { IsBackground = true, Name = "icefire-sql" }.Start(item);
        }
        return item.Task;
    }

    private abstract class WorkItem
    {
        public abstract void Run();
    }

    private sealed class WorkItem<T>(Func<T> work) : WorkItem
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _done.Task;

        public override void Run()
        {
            try
            {
                _done.SetResult(work());
            }
            catch (Exception e)
            {
                _done.SetException(e);
            }
        }
    }

    private sealed class Worker
    {
        public SemaphoreSlim Wake { get; } = new(0, 1);

        /// <summary>Set under <see cref="Gate"/> by whoever takes this worker off <see cref="Idle"/>.</summary>
        public WorkItem? Assigned { get; set; }

        public void Loop(object? first)
        {
            var item = (WorkItem)first!;
            while (true)
            {
                item.Run();
                lock (Gate)
                {
                    if (Waiting.TryDequeue(out var next))
                    {
                        item = next;
                        continue;
                    }
                    Idle.Add(this);
                }
                if (!Wake.Wait(IdleTimeout))
                {
                    lock (Gate)
                    {
                        if (Idle.Remove(this))
                        {
                            _threads--;
                            return;
                        }
                    }
                    // Taken off the idle list just as the wait ended: its wake-up is on the way.
                    Wake.Wait();
                }
                item = Assigned!;
                Assigned = null;
            }
        }
    }
}
