namespace IceFire.Raft.Tests.Simulation;

/// <summary>The network and the fault schedule of a simulated run.</summary>
internal sealed partial class Simulation
{
    private readonly HashSet<(ulong From, ulong To)> _cut = [];

    private void Send(Message m)
    {
        _messages++;
        if (Rng.NextDouble() < _options.DropRate || _cut.Contains((m.From, m.To))) return;
        var copies = Rng.NextDouble() < _options.DuplicateRate ? 2 : 1;
        for (var i = 0; i < copies; i++) Schedule(Rng.Next(1, _options.MaxDelay), () => Deliver(m));
    }

    private void Deliver(Message m)
    {
        if (m.To == 0 || m.To > (ulong)_nodes.Count || _cut.Contains((m.From, m.To))) return;
        var node = _nodes[(int)m.To - 1];
        if (node.Raft is null) return;
        node.Raft.Step(m);
        Drain(node);
    }

    private void ScheduleFaults()
    {
        if (_options.Crashes) Schedule(Rng.Next(200, 1200), CrashSomething);
        if (_options.Partitions) Schedule(Rng.Next(200, 1000), Repartition);
        if (_options.Transfers) Schedule(Rng.Next(300, 1500), TransferSomething);
        if (_options.MembershipChanges) Schedule(Rng.Next(100, 400), ChangeMembership);
    }

    private void CrashSomething()
    {
        var node = _nodes[Rng.Next(_nodes.Count)];
        if (node.Up)
        {
            if (Rng.Next(2) == 0) node.CrashBeforePersist = true;
            else Crash(node);
        }

        Schedule(Rng.Next(300, 1500), CrashSomething);
    }

    private void Repartition()
    {
        _cut.Clear();
        var mode = Rng.Next(4);
        if (mode > 0)
        {
            // Split the nodes in two random sides; mode 1 isolates exactly one node.
            var side = new bool[_nodes.Count];
            if (mode == 1) side[Rng.Next(side.Length)] = true;
            else for (var i = 0; i < side.Length; i++) side[i] = Rng.Next(2) == 0;
            var oneWay = mode == 3;
            for (var a = 0; a < side.Length; a++)
            {
                for (var b = 0; b < side.Length; b++)
                {
                    if (side[a] == side[b]) continue;
                    if (!oneWay || side[a]) _cut.Add(((ulong)a + 1, (ulong)b + 1));
                }
            }
        }

        foreach (var (from, to) in _cut)
        {
            var node = _nodes[(int)from - 1];
            if (node.Raft is null) continue;
            node.Raft.ReportUnreachable(to);
            Drain(node);
        }

        Schedule(Rng.Next(100, 900), Repartition);
    }

    private SimNode? CurrentLeader()
    {
        SimNode? best = null;
        foreach (var n in _nodes)
        {
            if (n.Raft is { Role: RaftRole.Leader } r && (best is null || r.Term > best.Raft!.Term)) best = n;
        }

        return best;
    }

    private void TransferSomething()
    {
        if (CurrentLeader() is { Raft: { } raft } leader)
        {
            var voters = raft.Config.Voters;
            raft.TransferLeadership(voters[Rng.Next(voters.Count)]);
            Drain(leader);
        }

        Schedule(Rng.Next(400, 2000), TransferSomething);
    }

    private void ChangeMembership()
    {
        if (CurrentLeader() is { Raft: { } raft } leader)
        {
            var conf = raft.Config;
            var id = (ulong)Rng.Next(1, _nodes.Count + 1);
            ConfChange change;
            if (conf.IsLearner(id)) change = new ConfChange(ConfChangeType.AddVoter, id);
            else if (!conf.IsMember(id)) change = new ConfChange(ConfChangeType.AddLearner, id);
            else if (conf.Voters.Count > 3 || (conf.Voters.Count > 1 && Rng.Next(3) == 0)) change = new ConfChange(Rng.Next(2) == 0 ? ConfChangeType.RemoveNode : ConfChangeType.AddLearner, id);
            else change = new ConfChange(ConfChangeType.AddLearner, id);
            raft.ProposeConfChange(change);
            Drain(leader);
        }

        Schedule(Rng.Next(150, 600), ChangeMembership);
    }
}
