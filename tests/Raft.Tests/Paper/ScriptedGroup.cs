using IceFire.Raft.Tests.Simulation;

namespace IceFire.Raft.Tests.Paper;

/// <summary>
/// A hand-driven group for scripted scenarios: the test decides which messages arrive, when nodes tick, crash and
/// restart. Each node's host loop persists, then queues messages, then applies, like a real host.
/// </summary>
internal sealed class ScriptedGroup
{
    private readonly Func<ulong, RaftOptions> _options;
    private readonly Dictionary<ulong, RaftNode?> _nodes = [];
    private readonly HashSet<(ulong From, ulong To)> _cut = [];

    public ScriptedGroup(int voters, Action<RaftOptions>? configure = null, int learners = 0, int joining = 0)
    {
        var ids = Enumerable.Range(1, voters).Select(i => (ulong)i).ToArray();
        var learnerIds = Enumerable.Range(voters + 1, learners).Select(i => (ulong)i).ToArray();
        _options = id =>
        {
            var o = new RaftOptions { Id = id, ElectionTicks = 10, HeartbeatTicks = 1, Random = new Random((int)id * 7919) };
            configure?.Invoke(o);
            return o;
        };
        var boot = new Snapshot(new SnapshotMetadata(0, 0, new ConfState(ids, learnerIds)), 0);
        for (var i = 1; i <= voters + learners + joining; i++)
        {
            var snap = i <= voters + learners ? boot : RaftInitialState.Joining().Snapshot;
            Durable[(ulong)i] = new DurableState { Snapshot = snap };
            Applied[(ulong)i] = [];
            Start((ulong)i);
        }
    }

    public Dictionary<ulong, DurableState> Durable { get; } = [];

    public Dictionary<ulong, List<Entry>> Applied { get; } = [];

    public List<Message> InFlight { get; } = [];

    public List<Message> Sent { get; } = [];

    public Dictionary<ulong, List<ReadState>> Reads { get; } = [];

    /// <summary>Drops a message when it returns false.</summary>
    public Func<Message, bool>? Filter { get; set; }

    public RaftNode this[ulong id] => _nodes[id] ?? throw new InvalidOperationException($"node {id} is down");

    public IEnumerable<ulong> Ids => _nodes.Keys;

    public void Start(ulong id)
    {
        var init = Durable[id].ToInitialState();
        _nodes[id] = new RaftNode(_options(id), init);
        Applied[id].RemoveAll(e => e.Index > init.Snapshot.Metadata.Index);
        Drain(id);
    }

    public void Crash(ulong id)
    {
        _nodes[id] = null;
        InFlight.RemoveAll(m => m.To == id);
    }

    public bool IsUp(ulong id) => _nodes[id] is not null;

    public void Drain(ulong id)
    {
        var node = _nodes[id];
        while (node is not null && node.HasReady())
        {
            var ready = node.GetReady();
            Durable[id].Persist(ready);
            foreach (var m in ready.Messages) Durable[id].FillChunk(m);
            InFlight.AddRange(ready.Messages);
            Sent.AddRange(ready.Messages);
            if (ready.Snapshot is not null) Applied[id].Clear();
            Applied[id].AddRange(ready.CommittedEntries);
            if (ready.ReadStates.Count > 0)
            {
                if (!Reads.TryGetValue(id, out var list)) Reads[id] = list = [];
                list.AddRange(ready.ReadStates);
            }

            node.Advance(ready);
        }
    }

    public void Step(Message m)
    {
        if (_nodes.TryGetValue(m.To, out var node) && node is not null && !_cut.Contains((m.From, m.To)) && (Filter?.Invoke(m) ?? true))
        {
            node.Step(m);
            Drain(m.To);
        }
    }

    /// <summary>Delivers messages until none are in flight (bounded).</summary>
    public void DeliverAll(int maxMessages = 100_000)
    {
        for (var n = 0; InFlight.Count > 0; n++)
        {
            if (n > maxMessages) throw new InvalidOperationException("message storm: the group did not quiesce");
            var m = InFlight[0];
            InFlight.RemoveAt(0);
            Step(m);
        }
    }

    public void Tick(ulong id, int ticks = 1)
    {
        for (var i = 0; i < ticks; i++)
        {
            this[id].Tick();
            Drain(id);
        }
    }

    /// <summary>Ticks every live node once per round and delivers everything in between.</summary>
    public void TickAll(int rounds)
    {
        for (var i = 0; i < rounds; i++)
        {
            foreach (var id in _nodes.Keys.ToArray())
            {
                if (_nodes[id] is not null) Tick(id);
            }

            DeliverAll();
        }
    }

    public ulong Elect(ulong id)
    {
        this[id].Campaign();
        Drain(id);
        DeliverAll();
        Assert.Equal(RaftRole.Leader, this[id].Role);
        return id;
    }

    public ProposeResult Propose(ulong id, string text)
    {
        var r = this[id].Propose(System.Text.Encoding.UTF8.GetBytes(text));
        Drain(id);
        return r;
    }

    public void Isolate(ulong id)
    {
        foreach (var other in _nodes.Keys)
        {
            if (other == id) continue;
            _cut.Add((id, other));
            _cut.Add((other, id));
        }
    }

    public void Heal() => _cut.Clear();

    public static string Text(Entry e) => System.Text.Encoding.UTF8.GetString(e.Data);

    public IEnumerable<string> AppliedTexts(ulong id) => Applied[id].Where(e => e.Type == EntryType.Normal && e.Data.Length > 0).Select(Text);
}
