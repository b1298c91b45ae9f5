using System.Diagnostics.Metrics;
using IceFire.Raft.Hosting;

namespace IceFire.Raft.Tests.Hosting;

/// <summary>The host's commit latency histogram and lag gauges, read through a <see cref="MeterListener"/>.</summary>
[Collection("tcp")]
public sealed class RaftHostMetricsTests
{
    [Fact]
    public async Task CommitsAreTimedOnTheLeaderAndAnIsolatedFollowerShowsAsReplicationLag()
    {
        await using var c = new TcpCluster(3);
        var leader = await c.WaitForLeader();
        var host = c[leader].Host;
        var commits = new List<double>();
        var gauges = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == host.Metrics.Meter) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<double>((i, v, _, _) =>
        {
            lock (commits) commits.Add(v);
        });
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => gauges[i.Name] = v);
        listener.Start();
        Assert.True(host.Metrics.TimesCommits);

        for (var i = 0; i < 3; i++) await c.ProposeAsync("x" + i);
        lock (commits)
        {
            Assert.True(commits.Count >= 3, $"{commits.Count} commit samples for 3 proposals");
            Assert.All(commits, v => Assert.InRange(v, 0, 30));
        }
        listener.RecordObservableInstruments();
        Assert.Equal(0, gauges["icefire.raft.apply.lag"]);

        var follower = c.Ids.First(id => id != leader);
        c.Isolate(follower);
        for (var i = 0; i < 3; i++) await c.ProposeAsync("y" + i);
        await TcpCluster.WaitUntil(() =>
        {
            listener.RecordObservableInstruments();
            return gauges["icefire.raft.replication.lag"] >= 3;
        }, "the leader to count the isolated follower 3 entries behind");
    }
}
