using System.Net;
using IceFire.Raft.Hosting;
using IceFire.Raft.Storage;
using IceFire.Raft.Transport;

namespace IceFire.Raft.Bench;

/// <summary>Counts applied entries; the cheapest possible state machine, so the figures measure Raft.</summary>
internal sealed class CountingMachine : IRaftStateMachine
{
    private long _applied;

    public long Applied => Interlocked.Read(ref _applied);

    public void Apply(Entry entry) => Interlocked.Increment(ref _applied);

    public void TakeSnapshot(SnapshotMetadata metadata, string imagePath) => File.WriteAllBytes(imagePath, BitConverter.GetBytes(Applied));

    public void Restore(Snapshot snapshot, string imagePath)
    {
        var image = File.ReadAllBytes(imagePath);
        Interlocked.Exchange(ref _applied, image.Length == 8 ? BitConverter.ToInt64(image) : 0);
    }
}

/// <summary>N nodes in this process, each with its own TCP transport on 127.0.0.1, host and file storage (fsync on).</summary>
internal sealed class LoopbackCluster : IAsyncDisposable
{
    private readonly List<(TcpTransport Transport, RaftHost Host)> _nodes = [];

    public LoopbackCluster(string dir, int nodes, int groups, TimeSpan tick, int quiesceAfterTicks = 0)
    {
        var ids = Enumerable.Range(1, nodes).Select(i => (ulong)i).ToArray();
        foreach (var id in ids)
        {
            RaftHost? host = null;
            var transport = new TcpTransport(id, new IPEndPoint(IPAddress.Loopback, 0), (g, m) => host!.Deliver(g, m));
            transport.PeerDisconnected += peer => host?.ReportUnreachable(peer);
            transport.Start();
            host = new RaftHost(new RaftHostOptions { NodeId = id, TickInterval = tick, Workers = 2 }, transport);
            for (var g = 1; g <= groups; g++)
            {
                var storage = FileRaftStorage.Open(Path.Combine(dir, $"n{id}", $"g{g}"), new ConfState(ids, []));
                host.AddGroup((ulong)g, new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 1, QuiesceAfterTicks = quiesceAfterTicks }, storage, new CountingMachine());
            }

            _nodes.Add((transport, host));
        }

        foreach (var (t, _) in _nodes)
        {
            for (var i = 0; i < _nodes.Count; i++) t.SetPeer((ulong)i + 1, _nodes[i].Transport.LocalEndPoint);
        }

        foreach (var (_, h) in _nodes) h.Start();
    }

    public IEnumerable<TcpTransport> Transports => _nodes.Select(n => n.Transport);

    public RaftGroup? Leader(ulong group)
    {
        RaftGroup? best = null;
        foreach (var (_, h) in _nodes)
        {
            if (h.TryGetGroup(group, out var g) && g.Role == RaftRole.Leader && (best is null || g.Term > best.Term)) best = g;
        }

        return best;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (t, h) in _nodes)
        {
            await t.DisposeAsync();
            await h.DisposeAsync();
        }
    }
}
