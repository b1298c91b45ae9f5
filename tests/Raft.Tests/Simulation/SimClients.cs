using IceFire.Raft.Tests.Linearizability;

namespace IceFire.Raft.Tests.Simulation;

/// <summary>Closed-loop clients issuing register writes and linearizable reads; records the history to check.</summary>
internal sealed class SimClients(Simulation sim, SimOptions options)
{
    private const long Timeout = 400;
    private readonly List<Operation> _history = [];
    private readonly ClientOp?[] _current = new ClientOp?[options.Clients];
    private int _nextProcess;
    private long _nextValue = 1;
    private ulong _nextContext = 1;
    private long _clock;

    public IReadOnlyList<Operation> History => _history;

    public int Completed { get; private set; }

    public void Start()
    {
        for (var c = 0; c < _current.Length; c++)
        {
            var client = c;
            sim.Schedule(sim.Rng.Next(1, 50), () => Act(client));
        }
    }

    private void Act(int client)
    {
        var op = _current[client];
        if (op is not null)
        {
            if (sim.Now >= op.Deadline) Abandon(client, op);
            else
            {
                sim.Schedule(Timeout / 4, () => Act(client));
                return;
            }
        }

        TryStart(client);
        var pause = sim.Rng.NextDouble() < options.ClientPauseRate ? sim.Rng.Next(300, 1500) : sim.Rng.Next(5, 40);
        sim.Schedule(pause, () => Act(client));
    }

    private void TryStart(int client)
    {
        var node = sim.PickClientTarget();
        if (node?.Raft is null) return;
        var key = sim.Rng.Next(options.Keys);
        if (sim.Rng.Next(2) == 0)
        {
            var value = _nextValue++;
            var opId = value;
            var r = node.Raft.Propose(KvStateMachine.EncodeWrite((byte)key, value, opId));
            if (r.Status != ProposeStatus.Accepted) return;
            _current[client] = new ClientOp(_nextProcess++, OpKind.Write, key, value, ++_clock, sim.Now + Timeout, node.Id) { Index = r.Index, Term = r.Term };
        }
        else
        {
            var ctx = _nextContext++;
            if (node.Raft.ReadIndex(ctx) != ProposeStatus.Accepted) return;
            _current[client] = new ClientOp(_nextProcess++, OpKind.Read, key, null, ++_clock, sim.Now + Timeout, node.Id) { Context = ctx };
        }

        sim.Drain(node);
    }

    private void Abandon(int client, ClientOp op)
    {
        // A write whose fate is unknown may take effect at any later time; a read that never returned tells nothing.
        if (op.Kind == OpKind.Write) _history.Add(new Operation(op.Process, op.Kind, op.Key, op.Value, op.Invoke, long.MaxValue));
        _current[client] = null;
    }

    public void OnApplied(SimNode node, Entry e)
    {
        for (var c = 0; c < _current.Length; c++)
        {
            var op = _current[c];
            if (op is null || op.Node != node.Id || op.Kind != OpKind.Write || op.Index != e.Index) continue;
            if (e.Term == op.Term) Complete(c, op, op.Value);
            else _current[c] = null; // Another entry committed at our index: ours never will (log matching).
        }
    }

    public void OnReadState(SimNode node, ReadState rs)
    {
        node.WaitingReads.Add((rs.Index, rs.Context));
    }

    public void ServeReads(SimNode node)
    {
        for (var w = node.WaitingReads.Count - 1; w >= 0; w--)
        {
            var (index, ctx) = node.WaitingReads[w];
            if (node.Machine.Applied < index) continue;
            node.WaitingReads.RemoveAt(w);
            for (var c = 0; c < _current.Length; c++)
            {
                var op = _current[c];
                if (op is not null && op.Kind == OpKind.Read && op.Context == ctx && op.Node == node.Id)
                    Complete(c, op, node.Machine.Read((byte)op.Key));
            }
        }
    }

    /// <summary>The node crashed or lost its state machine image: its clients no longer learn outcomes.</summary>
    public void OnNodeLost(SimNode node, ulong upToIndex = ulong.MaxValue)
    {
        for (var c = 0; c < _current.Length; c++)
        {
            var op = _current[c];
            if (op is null || op.Node != node.Id) continue;
            if (op.Kind == OpKind.Write && op.Index > upToIndex) continue;
            Abandon(c, op);
        }
    }

    private void Complete(int client, ClientOp op, long? value)
    {
        _history.Add(new Operation(op.Process, op.Kind, op.Key, value, op.Invoke, ++_clock));
        _current[client] = null;
        Completed++;
    }

    public void Finish()
    {
        for (var c = 0; c < _current.Length; c++)
        {
            if (_current[c] is { } op) Abandon(c, op);
        }
    }

    private sealed record ClientOp(int Process, OpKind Kind, int Key, long? Value, long Invoke, long Deadline, ulong Node)
    {
        public ulong Index { get; init; }

        public ulong Term { get; init; }

        public ulong Context { get; init; }
    }
}
