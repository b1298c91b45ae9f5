using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace IceFire.Silo.Tests.Infrastructure;

/// <summary>
/// Silo processes forming one cluster on loopback: node 1 founds it (--bootstrap), the others join through node 1's
/// cluster port. Nodes keep their ports and data directories across kills and restarts.
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly SiloProcess?[] _silos;
    private readonly int[] _resp;
    private readonly int[] _cluster;
    private readonly int[] _admin;
    private readonly int[] _silo;
    private readonly string _advertise;

    private LocalCluster(int nodes, string advertise = "127.0.0.1")
    {
        _advertise = advertise;
        _silos = new SiloProcess?[nodes + 1];
        var ports = FreePorts(nodes * 4);
        _resp = [0, .. ports.Take(nodes)];
        _cluster = [0, .. ports.Skip(nodes).Take(nodes)];
        _admin = [0, .. ports.Skip(2 * nodes).Take(nodes)];
        _silo = [0, .. ports.Skip(3 * nodes)];
    }

    public int Count => _silos.Length - 1;

    public string DataOf(int node) => _dir.Sub($"n{node}");

    public int RespPort(int node) => _resp[node];

    public int ClusterPort(int node) => _cluster[node];

    /// <summary>The port of node <paramref name="node"/>'s messaging with other silos (Orleans).</summary>
    public int SiloPort(int node) => _silo[node];

    public SiloProcess Silo(int node) => _silos[node] ?? throw new InvalidOperationException($"node {node} is not running");

    public bool IsRunning(int node) => _silos[node] is { HasExited: false };

    /// <summary>True when node <paramref name="node"/>'s process exited with <paramref name="exitCode"/>.</summary>
    public bool StoppedItself(int node, int exitCode)
    {
        try
        {
            return _silos[node] is { HasExited: true } silo && silo.ExitCode == exitCode;
        }
        catch (InvalidOperationException)
        {
            // Disposed by a restart in progress.
            return false;
        }
    }

    /// <summary>Starts <paramref name="nodes"/> silos and waits until every one holds an up-to-date replica of default.</summary>
    public static Task<LocalCluster> StartAsync(int nodes, params string[] extra) => Create(nodes).StartAllAsync(extra);

    /// <summary>
    /// A cluster whose silos are not started yet, advertising <paramref name="advertise"/> as the host of their cluster
    /// ports (something else, such as a proxy, may listen there); their own listeners stay on 127.0.0.1.
    /// </summary>
    public static LocalCluster Create(int nodes, string advertise = "127.0.0.1") => new(nodes, advertise);

    /// <summary>Starts every silo and waits until each holds an up-to-date replica of default; disposes the cluster on failure.</summary>
    public async Task<LocalCluster> StartAllAsync(params string[] extra)
    {
        try
        {
            for (var node = 1; node <= Count; node++)
            {
                await StartNodeAsync(node, extra);
            }
            await WaitConvergedAsync("default", Math.Min(3, Count));
            return this;
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>The arguments node <paramref name="node"/> runs with (the same on every start).</summary>
    public string[] ArgumentsOf(int node, params string[] extra) =>
    [
        "--node-id", node.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--resp-port", _resp[node].ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--cluster-port", _cluster[node].ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--admin-port", _admin[node].ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--silo-port", _silo[node].ToString(System.Globalization.CultureInfo.InvariantCulture),
        .. _advertise == "127.0.0.1" ? Array.Empty<string>() : ["--advertise", _advertise],
        .. node == 1 ? new[] { "--bootstrap" } : ["--seeds", $"{_advertise}:{_cluster[1]}"],
        .. extra,
    ];

    /// <summary>Starts (or restarts) node <paramref name="node"/> and waits for its "ready" line.</summary>
    public async Task StartNodeAsync(int node, params string[] extra)
    {
        var silo = await LaunchNodeAsync(node, extra);
        try
        {
            await silo.WaitReadyAsync();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"node {node} did not get ready: {e.Message}\nstdout:\n{silo.StandardOutput}\nstderr:\n{silo.StandardError}");
        }
    }

    /// <summary>Starts (or restarts) node <paramref name="node"/>, returning once it listens, ready or not.</summary>
    public async Task<SiloProcess> LaunchNodeAsync(int node, params string[] extra)
    {
        if (_silos[node] is { } old)
        {
            await old.DisposeAsync();
        }
        var silo = await SiloProcess.StartAsync(DataOf(node), waitReady: false, ArgumentsOf(node, extra));
        _silos[node] = silo;
        return silo;
    }

    /// <summary>kill -9 of node <paramref name="node"/>.</summary>
    public async Task KillAsync(int node)
    {
        await Silo(node).KillHardAsync();
    }

    /// <summary>GET /cluster through node <paramref name="via"/>.</summary>
    public async Task<JsonDocument> ViewAsync(int via)
    {
        using var admin = new AdminClient(Silo(via));
        var (status, body) = await admin.GetAsync("/cluster");
        if (status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET /cluster on node {via} answered {(int)status}: {body}");
        }
        return JsonDocument.Parse(body);
    }

    /// <summary>The tenant's entry of GET /cluster through any running node, or null.</summary>
    public async Task<JsonElement?> TenantViewAsync(string tenant)
    {
        for (var node = 1; node <= Count; node++)
        {
            if (!IsRunning(node))
            {
                continue;
            }
            try
            {
                using var view = await ViewAsync(node);
                foreach (var t in view.RootElement.GetProperty("tenants").EnumerateArray())
                {
                    if (t.GetProperty("name").GetString() == tenant)
                    {
                        return t.Clone();
                    }
                }
                return null;
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException)
            {
            }
        }
        return null;
    }

    /// <summary>The node leading <paramref name="tenant"/>'s group, waiting until one leads.</summary>
    public async Task<int> LeaderOfAsync(string tenant, TimeSpan? timeout = null)
    {
        var leader = 0;
        await WaitAsync(async () =>
        {
            var view = await TenantViewAsync(tenant);
            if (view is { } v && v.TryGetProperty("leader", out var l) && l.ValueKind == JsonValueKind.String)
            {
                leader = int.Parse(l.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                return IsRunning(leader);
            }
            return false;
        }, $"a leader of tenant {tenant}", timeout ?? TimeSpan.FromSeconds(30));
        return leader;
    }

    /// <summary>Waits until <paramref name="tenant"/> has <paramref name="replicas"/> replicas, all voters, a leader, and no replica lags.</summary>
    public Task WaitConvergedAsync(string tenant, int replicas, TimeSpan? timeout = null) =>
        WaitAsync(async () =>
        {
            var view = await TenantViewAsync(tenant);
            if (view is not { } v || !v.TryGetProperty("leader", out var leader) || leader.ValueKind != JsonValueKind.String)
            {
                return false;
            }
            if (v.GetProperty("replicas").GetArrayLength() != replicas || !v.TryGetProperty("lag", out var lag))
            {
                return false;
            }
            var reported = lag.EnumerateObject().ToList();
            var learning = v.TryGetProperty("learners", out var learners) && learners.GetArrayLength() > 0;
            return reported.Count == replicas && reported.All(p => p.Value.GetInt64() == 0) && !learning;
        }, $"tenant {tenant} to have {replicas} up-to-date replicas", timeout ?? TimeSpan.FromSeconds(60));

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes.</summary>
    public static async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or SocketException or InvalidOperationException or TaskCanceledException)
            {
                last = e;
            }
            await Task.Delay(100); // the polling step of this wait
        }
        throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what}{(last is null ? "" : $" (last error: {last.Message})")}");
    }

    /// <summary>Everything the silos printed, for a failing test's message.</summary>
    public string Logs()
    {
        var text = new System.Text.StringBuilder();
        for (var node = 1; node <= Count; node++)
        {
            if (_silos[node] is { } silo)
            {
                text.Append($"--- node {node} stdout:\n{silo.StandardOutput}\n--- node {node} stderr:\n{silo.StandardError}\n");
            }
        }
        return text.ToString();
    }

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// Free ports below the kernel's ephemeral range. The silos listen on them only once started, and a port the kernel
    /// hands out meanwhile for an outgoing connection or a bind to port 0 (another silo's SQL port, a cluster call)
    /// would otherwise take one first; ports from this range it never hands out. Each is given to one cluster only.
    /// </summary>
    private static int[] FreePorts(int count)
    {
        var (low, _) = EphemeralRange();
        var ports = new List<int>();
        lock (HandedOut)
        {
            for (var attempt = 0; ports.Count < count; attempt++)
            {
                if (attempt > 10_000)
                {
                    throw new InvalidOperationException($"no {count} free ports below {low}");
                }
                var port = Random.Shared.Next(Math.Max(1024, low - 12_000), low);
                if (HandedOut.Contains(port) || !Bindable(port))
                {
                    continue;
                }
                HandedOut.Add(port);
                ports.Add(port);
            }
        }
        return [.. ports];
    }

    private static bool Bindable(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static (int Low, int High) EphemeralRange()
    {
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return (32768, 60999);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            if (silo is not null)
            {
                await silo.DisposeAsync();
            }
        }
        _dir.Dispose();
    }
}
