using System.Net;
using System.Net.Sockets;
using System.Reflection;
using IceFire.Gateway.Resp;
using IceFire.Gateway.Sql;
using IceFire.Grains.Cluster;
using IceFire.Grains.Hosting;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Interfaces.Sql;
using IceFire.Grains.Sql;
using IceFire.Grains.Tenants;
using IceFire.Silo.Admin;
using IceFire.Silo.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IceFire.Silo;

/// <summary>The `icefire` executable: parses the command line and runs a silo.</summary>
internal static class SiloProgram
{
    private const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static string Version =>
        typeof(SiloProgram).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static async Task<int> MainAsync(string[] args)
    {
        // Socket completions run on the epoll threads instead of hopping to the thread pool, as the
        // connection code never blocks (see UseSockets below). Read once, when the first socket opens;
        // an explicit setting in the environment wins.
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        }
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine($"IceFire {Version}\n\nUsage: icefire serve [options]   (icefire serve --help for the options)\n       icefire check --data DIR    (checks a stopped silo's data directory)");
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] is "--version" or "version")
        {
            Console.WriteLine(Version);
            return 0;
        }
        if (args[0] == "check")
        {
            return CheckCommand.Run(args[1..]);
        }
        if (args[0] != "serve")
        {
            Console.Error.WriteLine($"icefire: unknown command '{args[0]}'. Try icefire --help.");
            return 2;
        }
        var options = SiloOptions.Parse(args[1..], out var error, out var help);
        if (help)
        {
            Console.WriteLine(SiloOptions.Usage);
            return 0;
        }
        if (options is null)
        {
            Console.Error.WriteLine($"icefire serve: {error}\n\n{SiloOptions.Usage}");
            return 2;
        }
        return await ServeAsync(options);
    }

    private static async Task<int> ServeAsync(SiloOptions options)
    {
        DataDirectory data;
        // Failed logins are counted and slowed across RESP and SQL alike.
        var loginThrottle = new LoginThrottle();
        DataDirectory.MakeNewFilesPrivate();
        try
        {
            data = DataDirectory.Open(options.Data);
        }
        catch (DataDirectoryException e)
        {
            Console.Error.WriteLine($"icefire: cannot start: {e.Message}");
            return 1;
        }
        // Each tenant has its own pub/sub namespace, which its PUBLISH and its keyspace notifications share, and its
        // own notify-keyspace-events (CONFIG SET in that tenant), stored with the tenant.
        // One log for the node, its tenants, Orleans and the host, written in order with the start-up report.
        var loggerFactory = LoggerFactory.Create(logging => Logging.SiloConsoleLoggerProvider.Configure(logging));
        var tenantOptions = new TenantOptions
        {
            Durability = options.Durability,
            LoggerFactory = loggerFactory,
        };
        SiloBackend backend;
        try
        {
            backend = SiloBackend.Open(options, data, tenantOptions, loggerFactory);
        }
        catch (Exception e) when (e is DataDirectoryException or DllNotFoundException or IOException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine($"icefire: cannot start: {e.Message}");
            data.Dispose();
            return 1;
        }
        var durability = options.Durability == DurabilityMode.Always ? "always" : "periodic";
        var resp = new RespServer(new RespServerOptions
        {
            RequirePass = options.RequirePass,
            Bind = options.Bind,
            Port = options.RespPort,
            DataDirectory = data.Path,
            Durability = durability,
            Version = Version,
            LoginThrottle = loginThrottle,
        }, backend.Node);
        // The empty builder: no configuration files to watch, no HTTP pipeline; Kestrel only as the
        // connection listener.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        var handler = new RespConnectionHandler(resp);
        // The messaging between silos; a cluster of one keeps it on loopback, where no other silo reaches it.
        try
        {
            backend.ResolveSiloAddresses(options);
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"icefire: cannot start: the advertised host {options.AdvertisedHost()} does not resolve: {e.Message}");
            await backend.DisposeAsync();
            data.Dispose();
            return 1;
        }
        if (options.Kubernetes && OrleansSilo.KubernetesProblem() is { } problem)
        {
            Console.Error.WriteLine($"icefire: cannot start: {problem}");
            await backend.DisposeAsync();
            data.Dispose();
            return 1;
        }
        backend.AddOrleans(builder, options);
        // Clients may connect once the listeners are bound, before this silo knows its cluster state and has opened its
        // replicas; their first command waits for that, as it would have waited for the port.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Each tenant's sessions run on the silo that leads its group, this one or another.
        var sql = options.SqlPort is null ? null : new SqlServer(new SqlServerOptions
        {
            RequirePass = options.RequirePass,
            Version = Version,
            Authentication = options.SqlAuth == "password" ? SqlAuthentication.Password : SqlAuthentication.Scram,
            LoginThrottle = loginThrottle,
        }, backend.Node.SqlTenants);
        var metrics = SiloTelemetry.Add(builder, options.AdminPort is not null, backend.Node, Version, resp, sql, data.Path);
        ListenOptions? sqlListener = null;
        ListenOptions? respListener = null;
        ListenOptions? adminListener = null;
        AdminApi? admin = null;
        if (options.AdminPort is not null)
        {
            var node = backend.Node;
            admin = new AdminApi(node, node, options.AdminToken, cancellationToken => ClusterView(node, cancellationToken)) { Resp = resp, LoginThrottle = loginThrottle };
            // The lighter routing core (no regex constraints); endpoints apply to the admin listener only, as the
            // RESP listener hands its connections straight to the RESP handler.
            builder.Services.AddRoutingCore();
        }
        // The socket transport stops reading a connection at 1 MiB of input it has not taken: read backpressure, so
        // a client whose replies are not being read is held back by TCP instead of filling memory. Both gateways take
        // a large request or message out of the input as it arrives, so one bigger than this still completes.
        builder.WebHost.UseSockets(sockets =>
        {
            sockets.MaxReadBufferSize = 1024 * 1024;
            // Connection code never blocks on I/O (writes wait asynchronously for the tenant's writer),
            // so it runs on the socket's own thread: one thread hop less per round trip.
            sockets.UnsafePreferInlineScheduling = true;
            // Receive straight into a buffer instead of first waiting with a zero-byte receive: one
            // system call less per round trip, for a buffer held by each idle connection.
            sockets.WaitForDataBeforeAllocatingBuffer = false;
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // RESP parses its own frames and bounds them itself (proto-max-bulk-len); Kestrel's buffer
            // cap would stall a large value half-way.
            kestrel.Limits.MaxRequestBufferSize = null;
            kestrel.Listen(ParseAddress(options.Bind), options.RespPort, listen =>
            {
                respListener = listen;
                listen.Use(_ => connection => AfterStartAsync(started.Task, connection, handler.OnConnectedAsync));
            });
            if (sql is not null)
            {
                var sqlHandler = new SqlConnectionHandler(sql);
                kestrel.Listen(ParseAddress(options.Bind), options.SqlPort!.Value, listen =>
                {
                    sqlListener = listen;
                    listen.Use(_ => connection => AfterStartAsync(started.Task, connection, sqlHandler.OnConnectedAsync));
                });
            }
            if (options.AdminPort is { } adminPort)
            {
                kestrel.Listen(ParseAddress(options.Bind), adminPort, listen => adminListener = listen);
            }
        });
        var app = builder.Build();
        admin?.Map(app);
        if (metrics)
        {
            SiloTelemetry.MapMetrics(app);
        }
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStopping.Register(() =>
        {
            Console.WriteLine("icefire: stopping: finishing commands in flight");
            admin?.Ready = false;
            resp.Stop();
            sql?.Stop();
        });
        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            var reason = e.InnerException is AddressInUseException
                ? "the address is already in use (another server on this port?)"
                : (e.InnerException ?? e).Message;
            var ports = $"{options.RespPort} (RESP)" + (sql is not null ? $", {options.SqlPort} (SQL; --sql-port off turns it off)" : "") +
                (options.AdminPort is { } a ? $", {a} (admin)" : "");
            Console.Error.WriteLine($"icefire: cannot listen on {options.Bind}:{ports}: {reason}");
            await backend.DisposeAsync();
            data.Dispose();
            return 1;
        }
        var port = BoundPort(respListener) ?? options.RespPort;
        Console.WriteLine($"icefire {Version}: RESP on {options.Bind}:{port}, data in {data.Path}{(data.IsNew ? " (new)" : "")}, durability {durability}");
        if (sql is not null)
        {
            Console.WriteLine($"icefire: SQL (PostgreSQL protocol) on {options.Bind}:{BoundPort(sqlListener)}");
        }
        if (admin is not null)
        {
            Console.WriteLine($"icefire: admin HTTP on {options.Bind}:{BoundPort(adminListener)}{(string.IsNullOrEmpty(options.AdminToken) ? "" : " (token required)")}");
        }
        var cluster = backend.Node;
        var host = options.AdvertisedHost();
        backend.ClusterOptions.RespAddress = $"{host}:{port}";
        backend.ClusterOptions.AdminAddress = BoundPort(adminListener) is { } ap ? $"{host}:{ap}" : "";
        if (backend.ClusterPort is { } clusterPort)
        {
            Console.WriteLine($"icefire: node {cluster.NodeId}, cluster port {options.Bind}:{clusterPort}, advertised as {backend.ClusterOptions.ClusterAddress}");
        }
        var orleans = app.Services.GetRequiredService<OrleansSilo>();
        try
        {
            await backend.StartAsync(app.Services, lifetime.ApplicationStopping);
            if (backend.ClusterPort is not null)
            {
                Console.WriteLine($"icefire: node {cluster.NodeId}: messaging between silos on {backend.SiloBind}:{orleans.Port}, advertised as {backend.SiloAdvertised}:{orleans.Port}");
            }
        }
        catch (Exception e) when (e is ClusterJoinException or DataDirectoryException or SocketException or IOException
            or Orleans.Runtime.OrleansException or Orleans.Runtime.OrleansConfigurationException or InvalidOperationException
            or Grains.Cluster.MembershipTableUnavailableException)
        {
            Console.Error.WriteLine($"icefire: cannot start: {e.Message}");
            started.TrySetCanceled();
            await app.StopAsync();
            await backend.DisposeAsync();
            data.Dispose();
            return 1;
        }
        catch (OperationCanceledException)
        {
            // Stopped while joining.
            started.TrySetCanceled();
        }
        started.TrySetResult();
        if (!lifetime.ApplicationStopping.IsCancellationRequested)
        {
            var state = cluster.State;
            var tenants = $"{state.Tenants.Count} tenant{(state.Tenants.Count == 1 ? "" : "s")}";
            Console.WriteLine(backend.ClusterPort is null
                ? $"icefire: {tenants}"
                : $"icefire: cluster {state.ClusterId}: {state.Members.Count} member{(state.Members.Count == 1 ? "" : "s")}, {tenants}");
        }
        if (!lifetime.ApplicationStopping.IsCancellationRequested)
        {
            admin?.Ready = true;
            Console.WriteLine("icefire: ready");
        }
        await app.WaitForShutdownAsync();
        await backend.DisposeAsync();
        data.Dispose();
        Console.WriteLine("icefire: stopped");
        return orleans.Failure is null ? 0 : OrleansSilo.FailedExitCode;
    }

    /// <summary>Serves a client connection once the silo has started; closes it when the start failed.</summary>
    private static async Task AfterStartAsync(Task started, ConnectionContext connection, Func<ConnectionContext, Task> serve)
    {
        if (!started.IsCompletedSuccessfully)
        {
            try
            {
                await started.WaitAsync(connection.ConnectionClosed);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        await serve(connection);
    }

    /// <summary>GET /cluster of a cluster member: the members, and per tenant its replicas, leader, commit index and lag.</summary>
    private static async Task<ClusterView> ClusterView(ClusterNode node, CancellationToken cancellationToken)
    {
        var state = node.State;
        var statuses = await node.GetReplicaStatusAsync(cancellationToken);
        var members = state.Members.Select(m =>
        {
            var addresses = new Dictionary<string, string>(StringComparer.Ordinal) { ["resp"] = m.RespAddress };
            if (m.ClusterAddress.Length > 0)
            {
                addresses["cluster"] = m.ClusterAddress;
            }
            if (m.AdminAddress.Length > 0)
            {
                addresses["admin"] = m.AdminAddress;
            }
            return new Admin.ClusterMember(Id(m.Id), addresses, m.Down ? "down" : statuses.TryGetValue(m.Id, out var s) && s is not null ? "up" : "unreachable");
        }).ToList();
        var tenants = new List<TenantPlacement>();
        foreach (var tenant in state.Tenants.Values.OrderBy(t => t.Name == ITenantDirectory.DefaultTenant ? 0 : 1).ThenBy(t => t.Name, StringComparer.Ordinal))
        {
            var replicas = statuses
                .Where(kv => kv.Value is not null)
                .SelectMany(kv => kv.Value!.Replicas.Where(r => r.GroupId == tenant.GroupId).Select(r => (Node: kv.Key, Status: r)))
                .ToList();
            var leading = replicas.Where(r => r.Status.Role == (int)Raft.RaftRole.Leader).OrderByDescending(r => r.Status.Term).Select(r => r.Status).FirstOrDefault();
            var leader = replicas.Where(r => r.Status == leading).Select(r => (ulong?)r.Node).FirstOrDefault();
            var commit = replicas.Count == 0 ? 0 : replicas.Max(r => r.Status.Commit);
            var lag = replicas.ToDictionary(r => Id(r.Node), r => (long)(commit - Math.Min(commit, r.Status.Applied)));
            var learners = leading?.Learners.Select(Id).ToList();
            tenants.Add(new TenantPlacement(tenant.Name, tenant.Replicas.Select(Id).ToList(), leader is { } l ? Id(l) : null, (long)commit, lag, learners));
        }
        return new ClusterView(members, tenants);
    }

    private static string Id(ulong node) => node.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An address to listen on: an IP address, localhost (loopback) or * (all).</summary>
    internal static IPAddress ParseAddress(string bind) => bind switch
    {
        "localhost" => IPAddress.Loopback,
        "*" or "0.0.0.0" => IPAddress.Any,
        _ => IPAddress.Parse(bind),
    };

    /// <summary>The port a listener bound (Kestrel writes the bound end point back, so port 0 shows the chosen one).</summary>
    private static int? BoundPort(ListenOptions? listener) => listener?.IPEndPoint?.Port;
}
