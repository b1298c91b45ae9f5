using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using IceFire.Grains.Interfaces;
using Xunit;

namespace IceFire.Gateway.Resp.Tests.Metrics;

/// <summary>Commands are counted per family and timed once per run of same-family commands in a batch.</summary>
public sealed class RespMetricsTests
{
    [Fact]
    public void EveryCommandCountsUnderItsCommandDocsGroup()
    {
        foreach (var command in CommandTable.All)
        {
            Assert.Equal(command.Group, RespMetrics.FamilyNames[RespMetrics.FamilyOf(command.Id)]);
        }
    }

    [Fact]
    public void ABatchIsCountedPerFamilyAndTimedPerRun()
    {
        using var metrics = new RespMetrics();
        var samples = new List<(double Seconds, string Family)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == metrics.Meter) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<double>((_, v, tags, _) => samples.Add((v, (string)tags[0].Value!)));
        listener.Start();
        Assert.True(metrics.TimesCommands);

        using var buffer = new ReplyBuffer();
        var batch = new CommandBatch(new RespReplyWriter(buffer));
        foreach (var name in new[] { "GET", "GET", "SET", "HSET", "GET" })
        {
            var info = CommandTable.Find(Encoding.ASCII.GetBytes(name))!;
            batch.Add(info, 0, [Encoding.ASCII.GetBytes(name), "k"u8.ToArray(), "f"u8.ToArray(), "v"u8.ToArray()]);
        }
        metrics.CountBatch(batch, Stopwatch.GetTimestamp());

        var strings = RespMetrics.FamilyOf(CommandTable.Find("GET"u8)!.Id);
        var hashes = RespMetrics.FamilyOf(CommandTable.Find("HSET"u8)!.Id);
        Assert.Equal(4, metrics.Counted(strings));
        Assert.Equal(1, metrics.Counted(hashes));
        Assert.Equal(["string", "hash", "string"], samples.Select(s => s.Family));
        Assert.All(samples, s => Assert.InRange(s.Seconds, 0, 10));
    }

    [Fact]
    public void NothingIsTimedWhileNoOneListens()
    {
        using var metrics = new RespMetrics();
        Assert.False(metrics.TimesCommands);
    }
}
