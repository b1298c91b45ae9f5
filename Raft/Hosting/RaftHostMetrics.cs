using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace IceFire.Raft.Hosting;

/// <summary>
/// A host's latency and lag instruments on the "IceFire.Raft" <see cref="Meter"/> (beside <see cref="RaftMetrics"/>'
/// counts): how long proposals take to commit on the leader, and how far its groups' state machines are behind.
/// Gauges are read from what each group published at the end of its last turn, when a listener collects.
/// </summary>
internal sealed class RaftHostMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Histogram<double> _commitDuration;

    public RaftHostMetrics(RaftHost host)
    {
        _meter = new Meter(RaftMetrics.MeterName);
        _commitDuration = _meter.CreateHistogram("icefire.raft.commit.duration", "s",
            "Time from a proposal on the leader to its entry committing there",
            tags: null, advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
            });
        _meter.CreateObservableGauge("icefire.raft.apply.lag", () => ApplyLag(host), "{entry}",
            "Entries committed but not yet applied, summed over this node's groups");
        _meter.CreateObservableGauge("icefire.raft.replication.lag", () => ReplicationLag(host), "{entry}",
            "On the groups this node leads, committed entries the slowest other member does not hold yet, summed");
    }

    /// <summary>The meter, to tell this host's instruments from another's in one process.</summary>
    public Meter Meter => _meter;

    /// <summary>True while a listener takes commit samples: proposals read the clock only then.</summary>
    public bool TimesCommits => _commitDuration.Enabled;

    /// <summary>Records a commit between two <see cref="Stopwatch"/> timestamps: proposed, committed.</summary>
    public void RecordCommit(long proposedTimestamp, long committedTimestamp) =>
        _commitDuration.Record(Stopwatch.GetElapsedTime(proposedTimestamp, committedTimestamp).TotalSeconds);

    internal static long ApplyLag(RaftHost host)
    {
        long lag = 0;
        foreach (var group in host.Groups)
        {
            var commit = group.CommitIndex;
            var applied = group.AppliedIndex;
            if (commit > applied) lag += (long)(commit - applied);
        }
        return lag;
    }

    internal static long ReplicationLag(RaftHost host)
    {
        long lag = 0;
        foreach (var group in host.Groups) lag += (long)group.ReplicationLag;
        return lag;
    }

    public void Dispose() => _meter.Dispose();
}
