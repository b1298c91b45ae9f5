using System.Net;
using System.Reflection;
using IceFire.Gateway.Resp;
using IceFire.Grains.Hosting;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants;
using IceFire.Silo.Admin;
using Microsoft.AspNetCore.Builder;
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
            Console.WriteLine($"IceFire {Version}\n\nUsage: icefire serve [options]   (icefire serve --help for the options)");
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] is "--version" or "version")
        {
            Console.WriteLine(Version);
            return 0;
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
        TenantDirectory tenants;
        // Each tenant has its own pub/sub namespace, which its PUBLISH and its keyspace notifications share;
        // CONFIG SET notify-keyspace-events reaches every tenant through the shared setting.
        var keyspaceEvents = new KeyspaceEventSettings();
        try
        {
            data = DataDirectory.Open(options.Data);
        }
        catch (DataDirectoryException e)
        {
            Console.Error.WriteLine($"icefire: cannot start: {e.Message}");
            return 1;
        }
        try
        {
            tenants = TenantDirectory.Open(data, new TenantOptions
            {
                Durability = options.Durability,
                KeyspaceEvents = keyspaceEvents,
            });
        }
        catch (Exception e) when (e is DataDirectoryException or DllNotFoundException)
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
            KeyspaceEvents = keyspaceEvents,
        }, tenants);
        foreach (var leftover in tenants.RemovedLeftovers)
        {
            Console.WriteLine($"icefire: removed tenants/{leftover}, which the tenant catalog does not list (an interrupted create or drop)");
        }
        // The empty builder: no configuration files to watch, no HTTP pipeline; Kestrel only as the
        // connection listener.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        // A failed bind is reported below in one line; the host's own report is a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        var handler = new RespConnectionHandler(resp);
        ListenOptions? respListener = null;
        ListenOptions? adminListener = null;
        AdminApi? admin = null;
        if (options.AdminPort is not null)
        {
            admin = new AdminApi(tenants, options.AdminToken, () => Self(options, respListener, adminListener));
            // The lighter routing core (no regex constraints); endpoints apply to the admin listener only, as the
            // RESP listener hands its connections straight to the RESP handler.
            builder.Services.AddRoutingCore();
        }
        // The socket transport would otherwise pause reading at 1 MiB of unparsed input, and a command
        // carrying a larger value (up to proto-max-bulk-len) could never complete.
        builder.WebHost.UseSockets(sockets =>
        {
            sockets.MaxReadBufferSize = null;
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
                listen.Use(_ => handler.OnConnectedAsync);
            });
            if (options.AdminPort is { } adminPort)
            {
                kestrel.Listen(ParseAddress(options.Bind), adminPort, listen => adminListener = listen);
            }
        });
        var app = builder.Build();
        admin?.Map(app);
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStopping.Register(() =>
        {
            Console.WriteLine("icefire: stopping: finishing commands in flight");
            admin?.Ready = false;
            resp.Stop();
        });
        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            var reason = e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException
                ? "the address is already in use (another server on this port?)"
                : (e.InnerException ?? e).Message;
            var ports = options.AdminPort is { } a ? $"{options.RespPort} (RESP) or {a} (admin)" : options.RespPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Console.Error.WriteLine($"icefire: cannot listen on {options.Bind}:{ports}: {reason}");
            tenants.Dispose();
            data.Dispose();
            return 1;
        }
        var port = BoundPort(respListener) ?? options.RespPort;
        Console.WriteLine($"icefire {Version}: RESP on {options.Bind}:{port}, data in {data.Path}{(data.IsNew ? " (new)" : "")}, durability {durability}");
        var tenantCount = tenants.Catalog.List().Count;
        Console.WriteLine($"icefire: {tenantCount} tenant{(tenantCount == 1 ? "" : "s")}");
        if (admin is not null)
        {
            Console.WriteLine($"icefire: admin HTTP on {options.Bind}:{BoundPort(adminListener)}{(string.IsNullOrEmpty(options.AdminToken) ? "" : " (token required)")}");
            admin.Ready = true;
        }
        Console.WriteLine("icefire: ready");
        await app.WaitForShutdownAsync();
        tenants.Dispose();
        data.Dispose();
        Console.WriteLine("icefire: stopped");
        return 0;
    }

    private static IPAddress ParseAddress(string bind) => bind switch
    {
        "localhost" => IPAddress.Loopback,
        "*" or "0.0.0.0" => IPAddress.Any,
        _ => IPAddress.Parse(bind),
    };

    /// <summary>The port a listener bound (Kestrel writes the bound end point back, so port 0 shows the chosen one).</summary>
    private static int? BoundPort(ListenOptions? listener) => listener?.IPEndPoint?.Port;

    /// <summary>This silo as GET /cluster shows it.</summary>
    private static ClusterMember Self(SiloOptions options, ListenOptions? resp, ListenOptions? admin)
    {
        var addresses = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["resp"] = $"{options.Bind}:{BoundPort(resp) ?? options.RespPort}",
        };
        if (BoundPort(admin) is { } adminPort)
        {
            addresses["admin"] = $"{options.Bind}:{adminPort}";
        }
        // A silo is named after its host for now (a StatefulSet pod's name is stable); cluster membership will
        // give silos persistent ids.
        return new ClusterMember(Environment.MachineName.ToLowerInvariant(), addresses, "up");
    }
}
