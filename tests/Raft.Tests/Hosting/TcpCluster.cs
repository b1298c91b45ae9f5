using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using IceFire.Raft.Hosting;
using IceFire.Raft.Storage;
using IceFire.Raft.Transport;

namespace IceFire.Raft.Tests.Hosting;

/// <summary>Real nodes on loopback: each has a TCP transport, a host, file storage per group, and list machines.</summary>
internal sealed class TcpCluster : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "icefire-raft-tcp-" + Guid.NewGuid().ToString("N"));
    private readonly int _groups;
    private readonly int _quiesceAfterTicks;
    private readonly ulong[] _ids;
    private readonly ulong[] _founders;
    private readonly ConcurrentDictionary<ulong, Node> _nodes = new();
    private readonly ConcurrentDictionary<ulong, IPEndPoint> _endpoints = new();

    /// <summary>Starts <paramref name="nodes"/> founding members plus <paramref name="spares"/> nodes that wait to be added.</summary>
    public TcpCluster(int nodes, int groups = 1, int quiesceAfterTicks = 0, int spares = 0)
    {
        _groups = groups;
        _quiesceAfterTicks = quiesceAfterTicks;
        _founders = Enumerable.Range(1, nodes).Select(i => (ulong)i).ToArray();
        _ids = Enumerable.Range(1, nodes + spares).Select(i => (ulong)i).ToArray();
        foreach (var id in _ids) Start(id);
    }

    public IEnumerable<ulong> Ids => _ids;

    public Node this[ulong id] => _nodes[id];

    public bool IsUp(ulong id) => _nodes.ContainsKey(id);

    public bool TryGet(ulong id, out Node node) => _nodes.TryGetValue(id, out node!);

    public void Start(ulong id)
    {
        RaftHost? host = null;
        var transport = new TcpTransport(id, new IPEndPoint(IPAddress.Loopback, 0), (g, m) => host!.Deliver(g, m));
        transport.PeerDisconnected += peer => host?.ReportUnreachable(peer);
        transport.Start();
        host = new RaftHost(new RaftHostOptions { NodeId = id, TickInterval = TimeSpan.FromMilliseconds(20), SnapshotEveryEntries = 50 }, transport);
        var node = new Node(id, transport, host);
        for (var g = 1; g <= _groups; g++)
        {
            var storage = FileRaftStorage.Open(Path.Combine(_root, $"n{id}", $"g{g}"), _founders.Contains(id) ? new ConfState(_founders, []) : ConfState.Empty);
            var machine = new ListMachine();
            node.Machines[(ulong)g] = machine;
            node.Groups[(ulong)g] = host.AddGroup((ulong)g, new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 2, QuiesceAfterTicks = _quiesceAfterTicks }, storage, machine);
        }

        _endpoints[id] = transport.LocalEndPoint;
        _nodes[id] = node;
        foreach (var (other, endpoint) in _endpoints)
        {
            transport.SetPeer(other, endpoint);
            if (_nodes.TryGetValue(other, out var o)) o.Transport.SetPeer(id, transport.LocalEndPoint);
        }

        host.Start();
    }

    public async Task StopAsync(ulong id)
    {
        _nodes.TryRemove(id, out var node);
        if (node is null) return;
        await node.Transport.DisposeAsync();
        await node.Host.DisposeAsync();
    }

    /// <summary>Cuts every link of <paramref name="id"/> (both ends refuse to reconnect).</summary>
    public void Isolate(ulong id)
    {
        foreach (var (other, node) in _nodes)
        {
            if (other == id) continue;
            node.Transport.Block(id);
            _nodes[id].Transport.Block(other);
        }
    }

    public void Heal()
    {
        foreach (var node in _nodes.Values)
        {
            foreach (var b in _ids) node.Transport.Unblock(b);
        }
    }

    /// <summary>The live node that leads <paramref name="group"/> in the highest term, if any.</summary>
    public ulong LeaderOf(ulong group, ulong except = 0)
    {
        ulong best = 0, term = 0;
        foreach (var (id, node) in _nodes)
        {
            var g = node.Groups[group];
            if (id != except && g.Role == RaftRole.Leader && g.Term >= term) (best, term) = (id, g.Term);
        }

        return best;
    }

    public static async Task WaitUntil(Func<bool> condition, string what, int seconds = 20)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(seconds)) Assert.Fail($"timed out after {seconds}s waiting for {what}");
            await Task.Delay(10); // the polling step of this wait
        }
    }

    public async Task<ulong> WaitForLeader(ulong group = 1, ulong except = 0)
    {
        await WaitUntil(() => LeaderOf(group, except) != 0, $"a leader of group {group}");
        return LeaderOf(group, except);
    }

    /// <summary>
    /// Proposes through whichever node leads, retrying while leadership moves. A proposal whose outcome is unknown (the
    /// leader lost its leadership before it committed) fails the call, unless <paramref name="retryUnknownOutcome"/>:
    /// then it is proposed again, so the command may be applied twice.
    /// </summary>
    public async Task<ulong> ProposeAsync(string command, ulong group = 1, bool retryUnknownOutcome = false)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var leader = LeaderOf(group);
            if (leader != 0 && _nodes.TryGetValue(leader, out var node))
            {
                try
                {
                    return await node.Groups[group].ProposeAsync(System.Text.Encoding.UTF8.GetBytes(command)).WaitAsync(TimeSpan.FromSeconds(5));
                }
                catch (Exception e) when (e is RaftProposalException or RaftOutcomeUnknownException or TimeoutException)
                {
                    if (e is not RaftProposalException && !retryUnknownOutcome) throw new InvalidOperationException($"proposal {command} has an unknown outcome", e);
                }
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(20)) Assert.Fail($"could not propose {command} within 20s");
            await Task.Delay(20); // the polling step of waiting for a leader that takes the proposal
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _nodes.Keys.ToList()) await StopAsync(id);
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    internal sealed class Node(ulong id, TcpTransport transport, RaftHost host)
    {
        public ulong Id { get; } = id;

        public TcpTransport Transport { get; } = transport;

        public RaftHost Host { get; } = host;

        public Dictionary<ulong, RaftGroup> Groups { get; } = [];

        public Dictionary<ulong, ListMachine> Machines { get; } = [];
    }
}
