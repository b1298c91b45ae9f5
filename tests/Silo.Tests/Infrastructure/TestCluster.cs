using System.Net;
using System.Text.Json;

namespace IceFire.Silo.Tests.Infrastructure;

/// <summary>
/// Silo processes forming one cluster whose silo-to-silo traffic all goes through a <see cref="FaultyNetwork"/>, the way
/// Orleans' TestingHost puts a fault-injecting transport between its silos: each silo advertises the network's proxy
/// (<see cref="FaultyNetwork.ProxyAddress"/>) as its address, so every Raft link and Orleans message crosses it.
/// Clients reach each silo's RESP and admin ports directly. Silos can be partitioned, healed, killed (-9) and restarted.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    /// <summary>The exit code of a silo that stopped itself (OrleansSilo.FailedExitCode).</summary>
    public const int StoppedItselfExitCode = 3;

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _supervisor;
    private int _restarts;

    private TestCluster(LocalCluster silos, FaultyNetwork network)
    {
        Silos = silos;
        Network = network;
        _supervisor = SuperviseAsync(_stop.Token);
    }

    /// <summary>How many silos the cluster restarted after they stopped themselves.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>
    /// Starts again, once no link is blocked, a silo that stopped itself because the others declared it dead while it
    /// was cut off (exit code 3), as Kubernetes restarts a pod. A silo killed or stopped by the test stays down.
    /// </summary>
    private async Task SuperviseAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                if (Network.AnyBlocked)
                {
                    continue;
                }
                for (var node = 1; node <= Count; node++)
                {
                    if (Silos.StoppedItself(node, StoppedItselfExitCode))
                    {
                        await Silos.StartNodeAsync(node);
                        Interlocked.Increment(ref _restarts);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// True when node <paramref name="node"/> stopped itself (or is stopping) within <paramref name="within"/>: the
    /// others declared it dead while it was cut off, which a cut-off silo may rightly answer with instead of an error.
    /// </summary>
    public async Task<bool> StopsItselfAsync(int node, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (Silos.StoppedItself(node, StoppedItselfExitCode) || Silos.Silo(node).StandardError.Contains("stopping:", StringComparison.Ordinal))
            {
                return true;
            }
            await Task.Delay(50);
        }
        return false;
    }

    /// <summary>The silo processes (ports, views, kill and restart).</summary>
    public LocalCluster Silos { get; }

    /// <summary>The links between the silos.</summary>
    public FaultyNetwork Network { get; }

    public int Count => Silos.Count;

    /// <summary>Starts the network, then <paramref name="nodes"/> silos; returns once every silo holds an up-to-date replica of default.</summary>
    public static async Task<TestCluster> StartAsync(int nodes, params string[] extra)
    {
        var silos = LocalCluster.Create(nodes, FaultyNetwork.ProxyAddress.ToString());
        var targets = new List<(int, int, IPEndPoint)>();
        var siloPorts = new Dictionary<int, int>();
        for (var node = 1; node <= nodes; node++)
        {
            targets.Add((node, silos.ClusterPort(node), new IPEndPoint(IPAddress.Loopback, silos.ClusterPort(node))));
            targets.Add((node, silos.SiloPort(node), new IPEndPoint(IPAddress.Loopback, silos.SiloPort(node))));
            siloPorts[node] = silos.SiloPort(node);
        }
        var network = new FaultyNetwork(targets, siloPorts);
        try
        {
            // Faults start from a settled group (StartAllAsync waits for up-to-date voters): while the last replica is
            // still a learner, the group has one voter fewer, and cutting off its leader then rightly leaves no quorum.
            await silos.StartAllAsync(extra);
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
        return new TestCluster(silos, network);
    }

    /// <summary>Every node but <paramref name="except"/>.</summary>
    public IEnumerable<int> Others(params int[] except) => Enumerable.Range(1, Count).Where(n => !except.Contains(n));

    /// <summary>Cuts <paramref name="node"/> off from every other silo, both ways.</summary>
    public void Isolate(int node) => Network.Partition([node], Others(node));

    /// <summary>
    /// The leader of <paramref name="tenant"/> as seen by the silos in <paramref name="among"/> (a side of a partition):
    /// the replica that reports itself leader with the highest term, waiting until one does.
    /// </summary>
    public async Task<int> LeaderAmongAsync(string tenant, IReadOnlyCollection<int> among, TimeSpan timeout)
    {
        var leader = 0;
        await LocalCluster.WaitAsync(async () =>
        {
            foreach (var node in among)
            {
                if (!Silos.IsRunning(node))
                {
                    continue;
                }
                using var view = await Silos.ViewAsync(node);
                foreach (var t in view.RootElement.GetProperty("tenants").EnumerateArray())
                {
                    if (t.GetProperty("name").GetString() == tenant && t.TryGetProperty("leader", out var l) && l.ValueKind == JsonValueKind.String)
                    {
                        var id = int.Parse(l.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                        if (among.Contains(id))
                        {
                            leader = id;
                            return true;
                        }
                    }
                }
            }
            return false;
        }, $"a leader of {tenant} among nodes {string.Join(",", among)}", timeout);
        return leader;
    }

    /// <summary>The silos' output, for a failing test's message.</summary>
    public string Logs() => Silos.Logs() + $"--- network: {Network.Describe()}\n";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _supervisor;
        _stop.Dispose();
        await Silos.DisposeAsync();
        await Network.DisposeAsync();
    }
}
