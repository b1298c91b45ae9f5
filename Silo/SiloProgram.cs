using System.Net;
using System.Reflection;
using IceFire.Gateway.Resp;
using IceFire.Grains.Hosting;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Streams;
using IceFire.Grains.Tenants;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
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
        // PUBLISH and keyspace notifications share one fabric; CONFIG SET notify-keyspace-events reaches
        // every tenant through the shared setting.
        var pubSub = new LocalPubSub();
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
                PubSub = pubSub,
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
        }, tenants, pubSub);
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
            kestrel.Listen(ParseAddress(options.Bind), options.RespPort, listen => listen.Use(_ => handler.OnConnectedAsync));
        });
        var app = builder.Build();
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStopping.Register(() =>
        {
            Console.WriteLine("icefire: stopping: finishing commands in flight");
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
            Console.Error.WriteLine($"icefire: cannot listen on {options.Bind}:{options.RespPort}: {reason}");
            tenants.Dispose();
            data.Dispose();
            return 1;
        }
        var port = BoundPort(app) ?? options.RespPort;
        Console.WriteLine($"icefire {Version}: RESP on {options.Bind}:{port}, data in {data.Path}{(data.IsNew ? " (new)" : "")}, durability {durability}");
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

    private static int? BoundPort(WebApplication app)
    {
        var server = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>();
        var addresses = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>();
        var first = addresses?.Addresses.FirstOrDefault();
        return first is not null && Uri.TryCreate(first.Replace("*", "localhost"), UriKind.Absolute, out var uri) ? uri.Port : null;
    }
}
