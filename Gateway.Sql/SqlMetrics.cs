using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace IceFire.Gateway.Sql;

/// <summary>The SQL gateway's instruments on the "IceFire.Sql" <see cref="Meter"/>.</summary>
public sealed class SqlMetrics : IDisposable
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "IceFire.Sql";

    private readonly Meter _meter;
    private readonly Counter<long> _statements;
    private readonly Histogram<double> _duration;

    /// <summary>Creates the meter and its instruments.</summary>
    public SqlMetrics()
    {
        _meter = new Meter(MeterName);
        _statements = _meter.CreateCounter<long>("icefire.sql.statements", "{statement}",
            "SQL statements run (each statement of a simple query, each portal of the extended protocol), failed ones included");
        _duration = _meter.CreateHistogram("icefire.sql.statement.duration", "s",
            "Time a SQL statement took from the call to the tenant's database until it failed, finished or had its first row ready",
            tags: null, advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            });
    }

    /// <summary>Counts one statement run; returns its start for <see cref="EndStatement"/>, or 0 while nobody takes durations.</summary>
    public long StartStatement()
    {
        if (_statements.Enabled)
        {
            _statements.Add(1);
        }
        return _duration.Enabled ? Stopwatch.GetTimestamp() : 0;
    }

    /// <summary>Records the duration of the statement started at <paramref name="start"/> (nothing when it is 0).</summary>
    public void EndStatement(long start)
    {
        if (start != 0)
        {
            _duration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _meter.Dispose();
}
