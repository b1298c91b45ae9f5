using System.Collections.Concurrent;
using System.Text;
using IceFire.Grains.Streams;
using IceFire.Grains.Tests.Support;
using IceFire.Grains.Tests.Support.Silos;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;
using Xunit;
using static IceFire.Grains.Tests.Replication.TenantCluster;

namespace IceFire.Grains.Tests.Streams;

/// <summary>The tenant-log provider as a silo registers it: Orleans' keyed stream provider, reading the replica on that silo.</summary>
[Collection(ThreeSilos.Collection)]
public sealed class TenantLogProviderOnSilosTests(ThreeSilos silos)
{
    [Fact]
    public async Task Every_silo_holding_a_replica_streams_the_same_committed_entries_through_its_Orleans_provider()
    {
        var cluster = silos.Cluster;
        var tenant = await cluster.CreateTenantAsync("log");
        var leader = cluster[cluster.LeaderOf(tenant)];
        Assert.Equal("+OK\r\n", await RunAsync(leader, tenant, "SET", "k1", "v1"));

        var recorders = new Dictionary<ulong, Recorder>();
        foreach (var node in cluster.ReplicasOf(tenant))
        {
            var provider = cluster[node].ServiceProvider.GetRequiredKeyedService<IStreamProvider>(TenantLogStreamProvider.ProviderName);
            Assert.True(provider.IsRewindable);
            var recorder = recorders[node] = new Recorder();
            await provider.GetStream<CommittedEntry>(TenantLogStreamProvider.StreamOf(tenant)).SubscribeAsync(recorder, new LogIndexToken(1));
        }
        Assert.Equal("+OK\r\n", await RunAsync(leader, tenant, "SET", "k2", "v2"));

        foreach (var (node, recorder) in recorders)
        {
            await Eventually.WaitUntilAsync(() => recorder.Entries.Any(e => Holds(e, "k2")), $"node {node} to stream the second write", TimeSpan.FromSeconds(20));
        }
        var first = recorders.Values.First().Entries.Where(e => Holds(e, "k1") || Holds(e, "k2")).Select(e => (e.Index, e.Term)).ToList();
        Assert.Equal(2, first.Count);
        Assert.All(recorders.Values, r => Assert.Equal(first, r.Entries.Where(e => Holds(e, "k1") || Holds(e, "k2")).Select(e => (e.Index, e.Term))));
    }

    [Fact]
    public async Task A_silo_without_a_replica_of_the_tenant_refuses_a_subscription()
    {
        var cluster = silos.Cluster;
        var provider = cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IStreamProvider>(TenantLogStreamProvider.ProviderName);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            provider.GetStream<CommittedEntry>(TenantLogStreamProvider.StreamOf("no-such-tenant")).SubscribeAsync(new Recorder()));
        Assert.Contains("has no replica on this silo", refused.Message);
    }

    private static async Task<string> RunAsync(InProcessSilo silo, string tenant, params string[] command)
    {
        var grain = silo.Node.Find(tenant) ?? throw new InvalidOperationException($"silo {silo.NodeId} does not know tenant {tenant}");
        var batch = Batch(command);
        await grain.ExecuteAsync(batch).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        return Replies(batch);
    }

    private static bool Holds(CommittedEntry entry, string text) => Encoding.UTF8.GetString(entry.Data).Contains(text, StringComparison.Ordinal);

    private sealed class Recorder : IAsyncObserver<CommittedEntry>
    {
        private readonly ConcurrentQueue<CommittedEntry> _entries = new();

        public List<CommittedEntry> Entries => [.. _entries];

        public Task OnNextAsync(CommittedEntry item, StreamSequenceToken? token = null)
        {
            _entries.Enqueue(item);
            return Task.CompletedTask;
        }

        public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
    }
}
