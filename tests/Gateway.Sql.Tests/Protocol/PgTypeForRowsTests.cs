using IceFire.Gateway.Sql.Protocol;
using IceFire.Grains.Interfaces.Sql;
using Xunit;

namespace IceFire.Gateway.Sql.Tests.Protocol;

/// <summary>The type a result column is announced with, from its declared type and the values about to be sent.</summary>
public sealed class PgTypeForRowsTests
{
    private static string Announced(string? declared, params SqlValue[] values)
    {
        var rows = new List<SqlValue[]>();
        foreach (var value in values)
        {
            rows.Add([value]);
        }
        return PgType.ForRows([new SqlColumn("c", declared, values.Length > 0 ? values[0].Kind : null)], rows)[0].Name;
    }

    private static SqlValue I(long value) => SqlValue.FromInteger(value);

    private static SqlValue R(double value) => SqlValue.FromReal(value);

    private static SqlValue T(string value) => SqlValue.FromText(value);

    private static SqlValue B(params byte[] value) => SqlValue.FromBlob(value);

    [Fact]
    public void DeclaredTypesHoldWhileTheValuesObeyThem()
    {
        Assert.Equal("int8", Announced("INTEGER", I(1), SqlValue.Null, I(-5)));
        Assert.Equal("int2", Announced("SMALLINT", I(32767)));
        Assert.Equal("bool", Announced("BOOLEAN", I(0), I(1), SqlValue.Null));
        Assert.Equal("bool", Announced("BOOLEAN"));
        Assert.Equal("float8", Announced("REAL", R(1e300), I(3)));
        Assert.Equal("float8", Announced("FLOAT4", R(0.1)));
        Assert.Equal("numeric", Announced("NUMERIC(10,2)", I(3), R(2.5)));
        Assert.Equal("bytea", Announced("BLOB", B(1, 2)));
        Assert.Equal("text", Announced("TEXT", T("a"), B(1)));
        Assert.Equal("date", Announced("DATE", T("2024-02-29"), T("infinity")));
        Assert.Equal("timestamp", Announced("TIMESTAMP", T("2024-02-29 13:14:15.5"), T("2024-02-29 13:14:15"), T("-infinity")));
        Assert.Equal("timestamptz", Announced("TIMESTAMPTZ", T("2024-02-29 13:14:15+02:00"), T("2024-02-29 13:14:15")));
        Assert.Equal("uuid", Announced("UUID", T("0d4cd56d-8f1f-4a7e-9a52-5a3ff1e0e8b4")));
    }

    [Fact]
    public void ValuesOutsideTheDeclaredTypeChooseATypeTheyAllFit()
    {
        Assert.Equal("int8", Announced("BOOLEAN", I(0), I(2)));
        Assert.Equal("text", Announced("BOOLEAN", I(1), T("yes")));
        Assert.Equal("int8", Announced("SMALLINT", I(70000)));
        Assert.Equal("numeric", Announced("INTEGER", I(3), R(92.0995)));
        Assert.Equal("float8", Announced("INTEGER", I(3), R(1e300)));
        Assert.Equal("text", Announced("TIMESTAMP", T("2024-02-29T13:14")));
        Assert.Equal("text", Announced("TIMESTAMP", T("2024-02-29")));
        Assert.Equal("text", Announced("REAL", R(1.5), T("n/a")));
        Assert.Equal("int8", Announced("BLOB", I(7)));
        Assert.Equal("text", Announced("BLOB", B(1), T("x")));
        Assert.Equal("float8", Announced("NUMERIC", R(1e300)));
        Assert.Equal("text", Announced("DATE", T("2024-02-29 10:00")));
        Assert.Equal("int8", Announced("TIMESTAMP", I(1700000000)));
        Assert.Equal("text", Announced("UUID", T("not-a-uuid")));
    }

    [Fact]
    public void ExpressionsAreTypedByAllTheirValues()
    {
        Assert.Equal("int8", Announced(null, SqlValue.Null, I(11)));
        Assert.Equal("numeric", Announced(null, I(1), R(0.5)));
        Assert.Equal("float8", Announced(null, R(0.5), R(1.5)));
        Assert.Equal("text", Announced(null, I(1), T("x")));
        Assert.Equal("bytea", Announced(null, B(0)));
        Assert.Equal("text", Announced(null, SqlValue.Null));
        Assert.Equal("text", Announced(null));
    }

    [Fact]
    public void AValueIsWrittenOnlyInATypeItFits()
    {
        var buffer = new PgMessageBuffer();
        Assert.False(PgValues.TryWrite(buffer, R(92.0995), PgType.Int8, binary: false));
        Assert.False(PgValues.TryWrite(buffer, I(2), PgType.Bool, binary: true));
        Assert.False(PgValues.TryWrite(buffer, T("7"), PgType.Bytea, binary: false));
        Assert.False(PgValues.TryWrite(buffer, I(70000), PgType.Int2, binary: true));
        Assert.True(PgValues.TryWrite(buffer, I(7), PgType.Float8, binary: true));
        Assert.True(PgValues.TryWrite(buffer, B(7), PgType.Text, binary: false));
    }
}
