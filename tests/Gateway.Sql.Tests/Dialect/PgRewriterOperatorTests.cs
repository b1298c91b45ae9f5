using IceFire.Gateway.Sql.Dialect;
using Xunit;

namespace IceFire.Gateway.Sql.Tests.Dialect;

/// <summary>SQLite's own operators pass through the rewriter; PostgreSQL's binary regex operators become REGEXP.</summary>
public sealed class PgRewriterOperatorTests
{
    [Theory]
    [InlineData("select ~5")]
    [InlineData("select 2, ~(5)")]
    [InlineData("select 1 + ~x from t where ~flags & 4 = 0")]
    [InlineData("select case when ~a then ~b else ~c end")]
    [InlineData("select x from t order by ~x")]
    [InlineData("select a != ~b, a = ~b, (~b)")]
    [InlineData("select [a~b], `c~d` from t")]
    public void SqlitesOwnSyntaxIsLeftAlone(string sql) => Assert.Equal(sql, PgRewriter.Rewrite(sql));

    [Theory]
    [InlineData("select 'abc' ~ 'b'", "select 'abc'  REGEXP  'b'")]
    [InlineData("insert into array(x) values ($1)", "insert into array(x) values (?1)")]
    [InlineData("select name ~ $1 from t", "select name  REGEXP  ?1 from t")]
    [InlineData("select x from t where (a) !~ 'z'", "select x from t where (a)  NOT REGEXP  'z'")]
    [InlineData("select 'ABC' ~* 'b'", "select 'ABC'  REGEXP '(?i)' ||  'b'")]
    [InlineData("select 'ABC' !~* 'b'", "select 'ABC'  NOT REGEXP '(?i)' ||  'b'")]
    [InlineData("select ~a ~ ~b", "select ~a  REGEXP  ~b")]
    [InlineData("select case when 1 then 'x' end ~ 'x'", "select case when 1 then 'x' end  REGEXP  'x'")]
    public void BinaryRegexOperatorsBecomeRegexp(string sql, string expected) => Assert.Equal(expected, PgRewriter.Rewrite(sql));

    [Fact]
    public void ArraySubqueryIsStillRewritten() =>
        Assert.Equal("select (select 1)", PgRewriter.Rewrite("select ARRAY(select 1)::text"));
}
