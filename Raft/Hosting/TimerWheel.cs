using System.Diagnostics;

namespace IceFire.Raft.Hosting;

/// <summary>
/// One thread that ticks every group once per tick interval. Groups are hashed into slots and the wheel advances one
/// slot per interval/slots, so ticks and the heartbeats they trigger are spread evenly instead of bursting.
/// </summary>
internal sealed class TimerWheel : IDisposable
{
    private readonly List<RaftGroup>[] _slots;
    private readonly TimeSpan _step;
    private readonly Thread _thread;
    private volatile bool _stopped;

    public TimerWheel(TimeSpan tick, int slots)
    {
        _slots = new List<RaftGroup>[Math.Max(1, slots)];
        for (var i = 0; i < _slots.Length; i++) _slots[i] = [];
        _step = tick / _slots.Length;
        _thread = new Thread(Run) { IsBackground = true, Name = "raft-timer-wheel" };
    }

    public void Start() => _thread.Start();

    public void Add(RaftGroup group)
    {
        var slot = _slots[(int)(group.Id % (ulong)_slots.Length)];
        lock (slot) slot.Add(group);
    }

    public void Remove(RaftGroup group)
    {
        var slot = _slots[(int)(group.Id % (ulong)_slots.Length)];
        lock (slot) slot.Remove(group);
    }

    public void Dispose()
    {
        _stopped = true;
        if (_thread.IsAlive) _thread.Join();
    }

    private void Run()
    {
        var clock = Stopwatch.StartNew();
        var next = _step;
        var current = 0;
        while (!_stopped)
        {
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero) Thread.Sleep(wait);
            next += _step;
            var slot = _slots[current];
            current = (current + 1) % _slots.Length;
            lock (slot)
            {
                foreach (var group in slot) group.EnqueueTick();
            }
        }
    }
}
