using IceFire.Grains.Cluster;
using IceFire.Grains.Hosting;
using IceFire.Grains.Tenants;
using IceFire.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace IceFire.Grains.Tests.Support.Silos;

/// <summary>
/// An IceFire silo in this process: its own data directory, node id, cluster (Raft) port and Orleans messaging port,
/// its cluster node and Orleans silo wired by the executable's own code (<see cref="SiloBackend"/>), without the RESP,
/// SQL and admin listeners. Stopping it stops the Orleans silo (gracefully or not), then closes the node and its data.
/// </summary>
public sealed class InProcessSilo : InProcessSiloHandle
{
    private SiloBackend _backend = null!;
    private DataDirectory _data = null!;
    private ILoggerFactory _loggerFactory = null!;
    private int _closed;

    /// <summary>This silo's cluster node.</summary>
    public ClusterNode Node => _backend.Node;

    /// <summary>This silo's node id.</summary>
    public ulong NodeId => _backend.Node.NodeId;

    /// <summary>host:port of this silo's cluster port.</summary>
    public string ClusterAddress => _backend.ClusterOptions.ClusterAddress;

    /// <summary>This silo's grain factory: grains are reached through it as the gateways on this silo reach them.</summary>
    public IGrainFactory GrainFactory => ServiceProvider.GetRequiredService<IGrainFactory>();

    /// <summary>The nodes whose silos this silo's calls reach now, and whether it knows the node of every active silo.</summary>
    public (IReadOnlyCollection<ulong> Nodes, bool Complete) ActiveNodes() => _backend.Calls.ActiveNodes();

    /// <summary>
    /// Starts a silo as <c>icefire serve --bind 127.0.0.1 --cluster-port 0</c> would, with <paramref name="nodeId"/>,
    /// <paramref name="siloPort"/> for Orleans and <paramref name="seeds"/> (or, with <paramref name="bootstrap"/>,
    /// founding the cluster): the node joins first, then the Orleans silo starts.
    /// </summary>
    internal static async Task<InProcessSilo> StartAsync(string name, ulong nodeId, string dataPath, int siloPort, IReadOnlyList<string> seeds, bool bootstrap)
    {
        var options = new SiloOptions
        {
            Data = dataPath,
            Bind = "127.0.0.1",
            ClusterPort = 0,
            SiloPort = siloPort,
            NodeId = nodeId,
            Bootstrap = bootstrap,
            Seeds = seeds,
        };
        var loggerFactory = CreateLoggerFactory();
        DataDirectory.MakeNewFilesPrivate();
        var data = DataDirectory.Open(options.Data);
        SiloBackend backend;
        try
        {
            backend = SiloBackend.Open(options, data, new TenantOptions { Durability = options.Durability, LoggerFactory = loggerFactory }, loggerFactory);
        }
        catch
        {
            data.Dispose();
            loggerFactory.Dispose();
            throw;
        }
        IHost? host = null;
        try
        {
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Services.AddLogging();
            builder.Services.AddSingleton(loggerFactory);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
            backend.AddOrleans(builder, options);
            host = builder.Build();
            await host.StartAsync();
            await backend.StartAsync(host.Services, CancellationToken.None);
            return new InProcessSilo
            {
                Name = name,
                SiloHost = host,
                SiloAddress = host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress,
                GatewayAddress = host.Services.GetRequiredService<ILocalSiloDetails>().GatewayAddress,
                _backend = backend,
                _data = data,
                _loggerFactory = loggerFactory,
            };
        }
        catch
        {
            if (host is not null)
            {
                await host.StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                host.Dispose();
            }
            await backend.DisposeAsync();
            data.Dispose();
            loggerFactory.Dispose();
            throw;
        }
    }

    /// <summary>Stops the Orleans silo (a cancelled <paramref name="ct"/> stops it without leaving the cluster), then the node.</summary>
    public override async Task StopSiloAsync(CancellationToken ct)
    {
        try
        {
            await base.StopSiloAsync(ct);
        }
        finally
        {
            await CloseNodeAsync();
        }
    }

    /// <summary>Stops only the Orleans silo (its host): the node keeps running until the silo is stopped or disposed.</summary>
    internal async Task StopOrleansAsync(bool gracefully)
    {
        using var cancellation = new CancellationTokenSource();
        if (!gracefully)
        {
            await cancellation.CancelAsync();
        }
        await base.StopSiloAsync(cancellation.Token);
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            await CloseNodeAsync();
        }
    }

    /// <summary>Closes the cluster port and the node, its replicas and its data directory, once.</summary>
    private async Task CloseNodeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            await _backend.DisposeAsync();
            _data.Dispose();
            _loggerFactory.Dispose();
        }
    }

    /// <summary>
    /// No log by default; ICEFIRE_TEST_LOG=1 writes what the executable writes (warnings and errors, and IceFire's
    /// information) to the console, ICEFIRE_TEST_LOG=debug everything down to Orleans' debug entries.
    /// </summary>
    private static ILoggerFactory CreateLoggerFactory() => Environment.GetEnvironmentVariable("ICEFIRE_TEST_LOG") switch
    {
        "1" => LoggerFactory.Create(logging => IceFire.Silo.Logging.SiloConsoleLoggerProvider.Configure(logging)),
        "debug" => LoggerFactory.Create(logging => IceFire.Silo.Logging.SiloConsoleLoggerProvider.Configure(logging)
            .SetMinimumLevel(LogLevel.Debug).AddFilter("Orleans", LogLevel.Debug)),
        _ => NullLoggerFactory.Instance,
    };
}
