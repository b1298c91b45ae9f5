using System.Globalization;
using IceFire.Grains.Cluster;
using IceFire.Grains.Tenants;

namespace IceFire.Silo;

/// <summary>What `icefire serve` was asked to do.</summary>
internal sealed record SiloOptions
{
    public string Data { get; init; } = "data";
    public string Bind { get; init; } = "127.0.0.1";
    public int RespPort { get; init; } = 6379;

    /// <summary>Port of the SQL gateway (PostgreSQL protocol); null turns it off, 0 picks a free port.</summary>
    public int? SqlPort { get; init; } = 5432;

    /// <summary>scram (SCRAM-SHA-256) or password (cleartext) for SQL clients.</summary>
    public string SqlAuth { get; init; } = "scram";
    public string? RequirePass { get; init; }
    public DurabilityMode Durability { get; init; } = DurabilityMode.Always;

    /// <summary>Port of the admin HTTP API; null leaves it off, 0 picks a free port.</summary>
    public int? AdminPort { get; init; }

    /// <summary>Bearer token the admin API's tenant and cluster endpoints require; none when null or empty.</summary>
    public string? AdminToken { get; init; }

    /// <summary>This silo's id in its cluster; null derives it (see <see cref="ResolveNodeId"/>).</summary>
    public ulong? NodeId { get; init; }

    /// <summary>Port of the cluster transport; null means the RESP port + 10000 (as Redis Cluster's bus).</summary>
    public int? ClusterPort { get; init; }

    /// <summary>Port of the messaging between silos (Orleans); null means the cluster port + 10000.</summary>
    public int? SiloPort { get; init; }

    /// <summary>The silo's name in Orleans' membership; null names it <c>node-ID</c>, or after its pod with <see cref="Kubernetes"/>.</summary>
    public string? SiloName { get; init; }

    /// <summary>Run Orleans' Kubernetes hosting (the silo named after its pod, pods and silos kept in step).</summary>
    public bool Kubernetes { get; init; }

    /// <summary>Cluster addresses (host:port) to join through.</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];

    /// <summary>Found a new cluster when the data directory holds none.</summary>
    public bool Bootstrap { get; init; }

    /// <summary>The host name or address other silos and clients reach this silo at; null derives it from --bind.</summary>
    public string? Advertise { get; init; }

    /// <summary>Replicas per tenant in a cluster founded by this silo.</summary>
    public int ReplicationFactor { get; init; } = 3;

    /// <summary>How long a silo may stay unreachable before its replicas are re-created on others.</summary>
    public TimeSpan ReplicaMoveAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Applied entries between two snapshots of a replica in a cluster.</summary>
    public ulong SnapshotEvery { get; init; } = 10_000;

    /// <summary>
    /// True when the silo opens its cluster port: asked to found or join a cluster, or its data directory knows other
    /// members. A silo started with none of the cluster options is a cluster of one that other silos cannot reach.
    /// </summary>
    public bool ListensForPeers(string dataPath) =>
        Bootstrap || Seeds.Count > 0 || NodeId is not null || ClusterPort is not null || ClusterNode.KnowsPeers(dataPath);

    /// <summary>The cluster port in use.</summary>
    public int EffectiveClusterPort => ClusterPort ?? (RespPort == 0 ? 0 : RespPort + 10000 <= 65535 ? RespPort + 10000 : RespPort - 10000);

    /// <summary>The messaging port in use when the cluster port is open (0 picks a free one).</summary>
    public int EffectiveSiloPort => SiloPort ?? (EffectiveClusterPort == 0 ? 0 : EffectiveClusterPort + 10000 <= 65535 ? EffectiveClusterPort + 10000 : EffectiveClusterPort - 10000);

    /// <summary>
    /// The node id: --node-id, else ICEFIRE_NODE_ID, else the ordinal of a StatefulSet pod's host name plus one
    /// (icefire-0 is node 1), else 1.
    /// </summary>
    public ulong ResolveNodeId()
    {
        if (NodeId is { } id)
        {
            return id;
        }
        if (ulong.TryParse(Environment.GetEnvironmentVariable("ICEFIRE_NODE_ID"), NumberStyles.None, CultureInfo.InvariantCulture, out var fromEnv) && fromEnv > 0)
        {
            return fromEnv;
        }
        var host = Environment.MachineName;
        var dash = host.LastIndexOf('-');
        if (dash >= 0 && ulong.TryParse(host.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal))
        {
            return ordinal + 1;
        }
        return 1;
    }

    /// <summary>The host others reach this silo at: --advertise, else the bind address, else (bound to all) the host name.</summary>
    public string AdvertisedHost()
    {
        if (!string.IsNullOrEmpty(Advertise))
        {
            return Advertise;
        }
        return Bind is "0.0.0.0" or "*" or "::" ? Environment.MachineName : Bind == "localhost" ? "127.0.0.1" : Bind;
    }

    public const string Usage = """
        Usage: icefire serve [options]

        Runs one IceFire silo: a Redis-compatible server (RESP2/RESP3) whose data lives in LMDB.

        Options:
          --data DIR                 Data directory (default: ./data). Created when absent; a directory
                                     that is not IceFire's is refused and left untouched.
          --bind ADDR                Address to listen on (default: 127.0.0.1; 0.0.0.0 for all).
          --resp-port N              RESP port (default: 6379).
          --sql-port N|off           SQL port: PostgreSQL's wire protocol over each tenant's SQLite tables
                                     (default: 5432; 0 picks a free port; off serves no SQL). In a cluster,
                                     any silo serves any tenant: statements run on the tenant's leader.
                                     psql -h 127.0.0.1 -U TENANT connects to a tenant's tables.
          --sql-auth MODE            scram (default): SCRAM-SHA-256. password: cleartext, for clients without
                                     SCRAM (only on trusted networks until TLS exists).
          --requirepass PASS         Password clients must give with AUTH or HELLO ... AUTH (default: none).
                                     The ICEFIRE_REQUIREPASS environment variable sets it too. The default
                                     tenant is the admin role: set it when tenants share the silo.
          --durability MODE          always (default): a write is fsynced before its reply.
                                     periodic: fsync at most once a second (like appendfsync everysec).
          --admin-port N             Serve the admin HTTP API on this port, on the --bind address (default:
                                     off; 9090 is what `icefire tenant` looks for; 0 picks a free port).
                                     GET /healthz /readyz /metrics /cluster /tenants /config /stats,
                                     POST /tenants, PUT /config, DELETE /tenants/NAME. /metrics is Prometheus
                                     text; OTEL_EXPORTER_OTLP_ENDPOINT also pushes the metrics over OTLP.
          --admin-token TOKEN        Require "Authorization: Bearer TOKEN" on /tenants, /config, /stats, /cluster
                                     (default: none). The ICEFIRE_ADMIN_TOKEN environment variable sets it too.

        Cluster (without any of these the silo is a cluster of one and opens no cluster port; any of them
        opens the cluster port to found or join a cluster of many; see README "Running a cluster"):
          --bootstrap                Found a new cluster when the data directory holds none: this silo writes
                                     the genesis and the default tenant. With --seeds, a seed that already
                                     belongs to a cluster makes the start fail instead of splitting it.
          --seeds HOST:PORT,...      Cluster addresses of silos to join through (the first start of a silo
                                     without --bootstrap; later starts find their peers in the data).
          --node-id N                This silo's id, 1 or more, kept for life with its data directory
                                     (default: ICEFIRE_NODE_ID, else a StatefulSet host name's ordinal + 1,
                                     else 1).
          --cluster-port N           Port of the cluster transport: Raft, joins and the membership table
                                     (default: the RESP port + 10000).
          --silo-port N              Port of the messaging between silos (Orleans): forwarded commands, SQL
                                     sessions, PUBLISH, and the failure detector's probes (default: the
                                     cluster port + 10000). A cluster of one uses a free port on loopback.
          --silo-name NAME           The silo's name in Orleans' membership and in logs (default: node-ID;
                                     with --kubernetes, the pod's name).
          --kubernetes               Run Orleans' Kubernetes hosting: the silo is named after its pod
                                     (POD_NAME), labels its pod with its cluster's ids, declares dead the
                                     silo of a deleted pod and ends silos whose pod is gone. Needs POD_NAME,
                                     POD_NAMESPACE and a service account that may get, list, watch, patch
                                     and delete pods (deploy/k8s has them).
          --advertise HOST           Host name or address other silos and clients reach this silo at
                                     (default: the --bind address, or the host name when bound to all).
                                     The ICEFIRE_ADVERTISE environment variable sets it too.
          --replication-factor N     Replicas per tenant in a cluster this silo founds (default: 3; fewer
                                     while the cluster has fewer silos).
          --replica-move-after T     How long a silo may stay unreachable before its tenants' replicas are
                                     re-created on other silos: 90s, 5m, 1h or seconds (default: 5m).
          --snapshot-every N         Entries a replica applies between two snapshots of its data; older log
                                     entries then go, and a replica far behind gets the snapshot (default:
                                     10000).
          -h, --help                 Show this help.

        Stop with Ctrl-C or SIGTERM: the silo stops accepting, finishes commands in flight, and closes
        the data files cleanly.
        """;

    /// <summary>Parses the arguments after `serve`; on failure returns null and sets <paramref name="error"/>.</summary>
    public static SiloOptions? Parse(IReadOnlyList<string> args, out string? error, out bool help)
    {
        error = null;
        help = false;
        var options = new SiloOptions
        {
            RequirePass = Environment.GetEnvironmentVariable("ICEFIRE_REQUIREPASS"),
            AdminToken = Environment.GetEnvironmentVariable("ICEFIRE_ADMIN_TOKEN"),
            Advertise = Environment.GetEnvironmentVariable("ICEFIRE_ADVERTISE"),
        };
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inlineValue = null;
            var eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inlineValue = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }
                if (i + 1 >= args.Count)
                {
                    throw new FormatException($"{arg} needs a value");
                }
                return args[++i];
            }
            try
            {
                switch (arg)
                {
                    case "-h" or "--help":
                        help = true;
                        return null;
                    case "--data":
                        options = options with { Data = Value() };
                        break;
                    case "--bind":
                        options = options with { Bind = Value() };
                        break;
                    case "--resp-port":
                        options = options with { RespPort = Port(arg, Value()) };
                        break;
                    case "--sql-port":
                        var sqlPort = Value();
                        options = options with { SqlPort = sqlPort == "off" ? null : Port(arg, sqlPort) };
                        break;
                    case "--sql-auth":
                        options = Value() switch
                        {
                            "scram" => options with { SqlAuth = "scram" },
                            "password" => options with { SqlAuth = "password" },
                            var other => throw new FormatException($"--sql-auth must be scram or password, not '{other}'"),
                        };
                        break;
                    case "--admin-port":
                        options = options with { AdminPort = Port(arg, Value()) };
                        break;
                    case "--admin-token":
                        options = options with { AdminToken = Value() };
                        break;
                    case "--requirepass":
                        options = options with { RequirePass = Value() };
                        break;
                    case "--bootstrap":
                        options = options with { Bootstrap = true };
                        break;
                    case "--seeds":
                        var seeds = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                        foreach (var seed in seeds)
                        {
                            var colon = seed.LastIndexOf(':');
                            if (colon <= 0 || !int.TryParse(seed.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seedPort) || seedPort is < 1 or > 65535)
                            {
                                throw new FormatException($"--seeds takes HOST:PORT,... ('{seed}' is not HOST:PORT)");
                            }
                        }
                        options = options with { Seeds = seeds };
                        break;
                    case "--node-id":
                        var idText = Value();
                        if (!ulong.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var nodeId) || nodeId == 0)
                        {
                            throw new FormatException($"--node-id must be a whole number of 1 or more, not '{idText}'");
                        }
                        options = options with { NodeId = nodeId };
                        break;
                    case "--cluster-port":
                        options = options with { ClusterPort = Port(arg, Value()) };
                        break;
                    case "--silo-port":
                        options = options with { SiloPort = Port(arg, Value()) };
                        break;
                    case "--advertise":
                        options = options with { Advertise = Value() };
                        break;
                    case "--silo-name":
                        var siloName = Value();
                        if (siloName.Length == 0 || siloName.Any(char.IsWhiteSpace))
                        {
                            throw new FormatException($"--silo-name takes a name without spaces, not '{siloName}'");
                        }
                        options = options with { SiloName = siloName };
                        break;
                    case "--kubernetes":
                        options = options with { Kubernetes = true };
                        break;
                    case "--replication-factor":
                        var rfText = Value();
                        if (!int.TryParse(rfText, NumberStyles.None, CultureInfo.InvariantCulture, out var rf) || rf is < 1 or > 7)
                        {
                            throw new FormatException($"--replication-factor must be 1 to 7, not '{rfText}'");
                        }
                        options = options with { ReplicationFactor = rf };
                        break;
                    case "--snapshot-every":
                        var everyText = Value();
                        if (!ulong.TryParse(everyText, NumberStyles.None, CultureInfo.InvariantCulture, out var every) || every < 10)
                        {
                            throw new FormatException($"--snapshot-every must be a number of entries, 10 or more, not '{everyText}'");
                        }
                        options = options with { SnapshotEvery = every };
                        break;
                    case "--replica-move-after":
                        options = options with { ReplicaMoveAfter = Duration(arg, Value()) };
                        break;
                    case "--durability":
                        options = Value() switch
                        {
                            "always" => options with { Durability = DurabilityMode.Always },
                            "periodic" => options with { Durability = DurabilityMode.Periodic },
                            var other => throw new FormatException($"--durability must be always or periodic, not '{other}'"),
                        };
                        break;
                    default:
                        throw new FormatException($"unknown option '{args[i]}'");
                }
            }
            catch (FormatException e)
            {
                error = e.Message;
                return null;
            }
        }
        if (options.ClusterPort is { } cluster && cluster != 0 && (cluster == options.RespPort || cluster == options.AdminPort))
        {
            error = $"--cluster-port must differ from --resp-port and --admin-port (it is {cluster})";
            return null;
        }
        if (options.Kubernetes && options.SiloName is not null)
        {
            error = "--silo-name cannot be used with --kubernetes, which names the silo after its pod";
            return null;
        }
        if (options.SiloPort is { } siloPort && siloPort != 0 && (siloPort == options.RespPort || siloPort == options.AdminPort || siloPort == options.EffectiveClusterPort || siloPort == options.SqlPort))
        {
            error = $"--silo-port must differ from --resp-port, --sql-port, --admin-port and --cluster-port (it is {siloPort})";
            return null;
        }
        if (options.SqlPort is { } sql && sql != 0 && (sql == options.RespPort || sql == options.AdminPort || sql == options.ClusterPort))
        {
            error = $"--sql-port must differ from --resp-port, --admin-port and --cluster-port (it is {sql})";
            return null;
        }
        if (options.AdminPort is { } admin && admin != 0 && admin == options.RespPort)
        {
            error = $"--admin-port and --resp-port must differ (both are {admin})";
            return null;
        }
        return options;
    }

    private static int Port(string option, string text)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 0 or > 65535)
        {
            throw new FormatException($"{option} must be a port number (0-65535), not '{text}'");
        }
        return port;
    }

    /// <summary>A duration: a whole number with the unit ms, s, m or h, or bare seconds; at least 1 s.</summary>
    internal static TimeSpan Duration(string option, string text)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1L)
            : text.EndsWith('s') ? (text[..^1], 1000L)
            : text.EndsWith('m') ? (text[..^1], 60_000L)
            : text.EndsWith('h') ? (text[..^1], 3_600_000L)
            : (text, 1000L);
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > long.MaxValue / unit / 2 || value * unit < 1000)
        {
            throw new FormatException($"{option} must be a duration of at least 1s such as 90s, 5m or 1h, not '{text}'");
        }
        return TimeSpan.FromMilliseconds(value * unit);
    }
}
