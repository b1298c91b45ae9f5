using System.Diagnostics;
using System.Diagnostics.Metrics;
using IceFire.Grains.Interfaces;

namespace IceFire.Gateway.Resp;

/// <summary>
/// The RESP gateway's instruments on the "IceFire.Resp" <see cref="Meter"/>. Commands are counted per family (the
/// COMMAND DOCS group: string, hash, list, connection, ...) in plain counters the meter reads when a listener collects,
/// so the hot path pays one interlocked add per run of same-family commands in a pipeline batch. The duration histogram
/// takes one sample per such run (the time the batch took from the tenant call to its replies), and only while a
/// listener is enabled on it.
/// </summary>
public sealed class RespMetrics : IDisposable
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "IceFire.Resp";

    /// <summary>The tag naming a command's family.</summary>
    public const string FamilyTag = "icefire.command.family";

    private static readonly string[] Families;
    private static readonly byte[] FamilyById;

    // One slot per family, each on its own cache line: connections on different threads add to different families.
    private const int Stride = 8;
    private readonly long[] _counts;
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly Meter _meter;
    private readonly Histogram<double> _duration;

    static RespMetrics()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var command in CommandTable.All)
        {
            names.Add(command.Group);
        }
        Families = [.. names];
        FamilyById = new byte[ushort.MaxValue + 1];
        foreach (var command in CommandTable.All)
        {
            FamilyById[(int)command.Id] = (byte)Array.IndexOf(Families, command.Group);
            foreach (var sub in command.Subcommands)
            {
                FamilyById[(int)sub.Id] = (byte)Array.IndexOf(Families, command.Group);
            }
        }
    }

    /// <summary>Creates the meter and its instruments.</summary>
    public RespMetrics()
    {
        _meter = new Meter(MeterName);
        _counts = new long[(Families.Length + 1) * Stride];
        _tags = new KeyValuePair<string, object?>[Families.Length];
        for (var i = 0; i < Families.Length; i++)
        {
            _tags[i] = new KeyValuePair<string, object?>(FamilyTag, Families[i]);
        }
        _meter.CreateObservableCounter("icefire.resp.commands", ReadCounts, "{command}", "RESP commands run, by command family");
        _duration = _meter.CreateHistogram("icefire.resp.command.duration", "s",
            "Time a pipeline batch of RESP commands took, from the call to the tenant to its replies: one sample per run of same-family commands in a batch",
            tags: null, advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
            });
    }

    /// <summary>The meter, to tell this gateway's instruments from another's in one process.</summary>
    public Meter Meter => _meter;

    /// <summary>The family index of a command, for <see cref="Count"/> and <see cref="RecordDuration"/>.</summary>
    public static int FamilyOf(CommandId id) => FamilyById[(int)id];

    /// <summary>The family names, in index order.</summary>
    public static IReadOnlyList<string> FamilyNames => Families;

    /// <summary>True while a listener takes duration samples: callers read the clock only then.</summary>
    public bool TimesCommands => _duration.Enabled;

    /// <summary>Counts <paramref name="commands"/> commands of family <paramref name="family"/>.</summary>
    public void Count(int family, int commands) => Interlocked.Add(ref _counts[(family + 1) * Stride], commands);

    /// <summary>Commands of family <paramref name="family"/> counted so far.</summary>
    public long Counted(int family) => Volatile.Read(ref _counts[(family + 1) * Stride]);

    /// <summary>Records one duration sample for family <paramref name="family"/>, from <see cref="Stopwatch"/> timestamps.</summary>
    public void RecordDuration(int family, long startTimestamp, long endTimestamp) =>
        _duration.Record(Stopwatch.GetElapsedTime(startTimestamp, endTimestamp).TotalSeconds, _tags[family]);

    /// <summary>
    /// Counts the commands of <paramref name="batch"/> per family and, when timed (<paramref name="startTimestamp"/>
    /// not 0), records the batch's duration once per run of same-family commands.
    /// </summary>
    internal void CountBatch(CommandBatch batch, long startTimestamp)
    {
        var end = startTimestamp == 0 ? 0 : Stopwatch.GetTimestamp();
        var count = batch.Count;
        var i = 0;
        while (i < count)
        {
            var family = FamilyById[(int)batch[i].Id];
            var run = 1;
            while (i + run < count && FamilyById[(int)batch[i + run].Id] == family)
            {
                run++;
            }
            Count(family, run);
            if (startTimestamp != 0)
            {
                RecordDuration(family, startTimestamp, end);
            }
            i += run;
        }
    }

    private IEnumerable<Measurement<long>> ReadCounts()
    {
        var measurements = new List<Measurement<long>>(Families.Length);
        for (var i = 0; i < Families.Length; i++)
        {
            var value = Counted(i);
            if (value > 0)
            {
                measurements.Add(new Measurement<long>(value, _tags[i]));
            }
        }
        return measurements;
    }

    /// <inheritdoc/>
    public void Dispose() => _meter.Dispose();
}
