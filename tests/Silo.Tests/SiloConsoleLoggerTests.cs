using IceFire.Silo.Logging;
using Microsoft.Extensions.Logging;
using Xunit;

namespace IceFire.Silo.Tests;

/// <summary>The silo's log lines: IceFire's read like the start-up report, others name their level and category; warnings go to standard error.</summary>
public sealed class SiloConsoleLoggerTests
{
    [Fact]
    public void Lines_read_like_the_start_up_report_and_keep_others_on_one_line()
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        using var provider = new SiloConsoleLoggerProvider(output, errors);
        var node = provider.CreateLogger("IceFire.Grains.Cluster.ClusterNode");
        var orleans = provider.CreateLogger("Orleans.Runtime.MembershipService.MembershipAgent");

        node.LogInformation("node {NodeId}: founded cluster {ClusterId}", 1, "c1");
        node.LogWarning("node {NodeId}: could not save the peers' addresses: {Reason}", 1, "disk full");
        orleans.LogError(new EventId(100661), new InvalidOperationException("first line\nsecond line"), "Failed to get ping responses from {Count} silos", 2);

        Assert.Equal(["icefire: node 1: founded cluster c1"], output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(
            [
                "icefire: warning: node 1: could not save the peers' addresses: disk full",
                "icefire: fail: Orleans.Runtime.MembershipService.MembershipAgent[100661] Failed to get ping responses from 2 silos "
                    + "System.InvalidOperationException: first line second line",
            ],
            errors.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void The_silo_hears_its_own_information_but_only_errors_from_Orleans()
    {
        using var factory = LoggerFactory.Create(logging => SiloConsoleLoggerProvider.Configure(logging));
        Assert.True(factory.CreateLogger("IceFire.Grains.Cluster.ClusterNode").IsEnabled(LogLevel.Information));
        Assert.False(factory.CreateLogger("IceFire.Grains.Cluster.ClusterNode").IsEnabled(LogLevel.Debug));
        Assert.False(factory.CreateLogger("Orleans.Runtime.Silo").IsEnabled(LogLevel.Warning));
        Assert.True(factory.CreateLogger("Orleans.Runtime.Silo").IsEnabled(LogLevel.Error));
        Assert.False(factory.CreateLogger("Microsoft.Extensions.Hosting.Internal.Host").IsEnabled(LogLevel.Critical));
        Assert.False(factory.CreateLogger("Polly").IsEnabled(LogLevel.Error));
        Assert.True(factory.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Warning));
    }
}
