using System.Diagnostics.Metrics;

namespace IceFire.Gateway.Sql;

/// <summary>The SQL gateway's instruments on the "IceFire.Sql" <see cref="Meter"/>.</summary>
public sealed class SqlMetrics : IDisposable
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "IceFire.Sql";

    private readonly Meter _meter;
    private readonly Counter<long> _statements;

    /// <summary>Creates the meter and its instruments.</summary>
    public SqlMetrics()
    {
        _meter = new Meter(MeterName);
        _statements = _meter.CreateCounter<long>("icefire.sql.statements", "{statement}",
            "SQL statements run (each statement of a simple query, each portal of the extended protocol), failed ones included");
    }

    /// <summary>Counts one statement run.</summary>
    public void CountStatement()
    {
        if (_statements.Enabled)
        {
            _statements.Add(1);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _meter.Dispose();
}
