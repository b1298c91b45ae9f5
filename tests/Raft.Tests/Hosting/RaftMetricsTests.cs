using System.Diagnostics.Metrics;
using IceFire.Raft.Hosting;

namespace IceFire.Raft.Tests.Hosting;

[Collection("tcp")]
public sealed class RaftMetricsTests
{
    [Fact]
    public async Task InstrumentsReportGroupsLeadersAndTraffic()
    {
        await using var c = new TcpCluster(3);
        var leader = await c.WaitForLeader();
        await c.ProposeAsync("x");
        using var metrics = new RaftMetrics(c[leader].Host, c[leader].Transport);
        var seen = new Dictionary<string, double>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == RaftMetrics.MeterName) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<int>((i, v, _, _) => seen[i.Name] = v);
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => seen[i.Name] = v);
        listener.Start();
        listener.RecordObservableInstruments();
        Assert.Equal(1, seen["icefire.raft.groups"]);
        Assert.Equal(1, seen["icefire.raft.leaders"]);
        Assert.True(seen["icefire.raft.transport.messages_sent"] > 0);
        Assert.Equal(2, seen["icefire.raft.transport.open_connections"]);
    }
}
