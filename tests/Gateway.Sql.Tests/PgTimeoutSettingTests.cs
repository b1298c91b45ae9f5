using IceFire.Grains.Interfaces.Sql;
using Xunit;

namespace IceFire.Gateway.Sql.Tests;

/// <summary>statement_timeout and idle_session_timeout values are read, and refused, as PostgreSQL reads them.</summary>
public sealed class PgTimeoutSettingTests
{
    private static string Check(string value)
    {
        var error = PgConnection.CheckTimeout("statement_timeout", value, out var ms);
        return error is null ? ms.ToString(System.Globalization.CultureInfo.InvariantCulture) : error.SqlState + ":" + error.Message;
    }

    [Fact]
    public void TimesTakePostgresUnits()
    {
        Assert.Equal("1500", Check("1.5s"));
        Assert.Equal("500", Check("'500'"));
        Assert.Equal("120000", Check("2min"));
        Assert.Equal("0", Check("DEFAULT"));
        Assert.Equal("2147483647", Check("2147483647"));
    }

    [Fact]
    public void ANegativeTimeIsOutsideTheValidRange()
    {
        Assert.Equal("22023:-1 ms is outside the valid range for parameter \"statement_timeout\" (0 .. 2147483647)", Check("-1"));
        Assert.Equal("22023:-1000 ms is outside the valid range for parameter \"statement_timeout\" (0 .. 2147483647)", Check("-1s"));
    }

    [Fact]
    public void NotATimeOrPastInt32IsAnInvalidValue()
    {
        Assert.Equal(SqlStates.InvalidParameterValue + ":invalid value for parameter \"statement_timeout\": \"soon\"", Check("soon"));
        Assert.Equal(SqlStates.InvalidParameterValue + ":invalid value for parameter \"statement_timeout\": \"2147483648\"", Check("2147483648"));
        Assert.Equal(SqlStates.InvalidParameterValue + ":invalid value for parameter \"statement_timeout\": \"5x\"", Check("5x"));
    }
}
