using IceFire.Gateway.Sql.Dialect;
using Xunit;

namespace IceFire.Silo.Tests.Sql;

/// <summary>The rewrites of psql's catalog forms that SQLite cannot parse, one form at a time.</summary>
public sealed class PgRewriterCatalogTests
{
    [Fact]
    public void QuotedNameCastToRegclassBecomesItsOid() =>
        Assert.Equal(
            "SELECT 1 FROM pg_class c WHERE c.oid = (SELECT regoid FROM temp.pg_sqlite_regclass WHERE regname = 'gadgets')",
            PgRewriter.Rewrite("SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = 'public.gadgets'::pg_catalog.regclass"));

    [Fact]
    public void QuotedOidCastToRegclassStaysAnOid() =>
        Assert.Equal("SELECT '16385'", PgRewriter.Rewrite("SELECT '16385'::pg_catalog.regclass"));

    [Fact]
    public void OidCastToRegclassBecomesItsName() =>
        Assert.Equal(
            "SELECT (SELECT regname FROM temp.pg_sqlite_regclass WHERE regoid = c.oid) FROM pg_class c",
            PgRewriter.Rewrite("SELECT c.oid::pg_catalog.regclass::pg_catalog.text FROM pg_catalog.pg_class c"));

    [Fact]
    public void DefinitionFunctionsReadTheirViewsAndKeepABareOidBoundOutside() =>
        Assert.Equal(
            "SELECT (SELECT def FROM temp.pg_sqlite_constraintdef WHERE defoid = (oid)) FROM pg_constraint",
            PgRewriter.Rewrite("SELECT pg_catalog.pg_get_constraintdef(oid, true) FROM pg_catalog.pg_constraint"));

    [Fact]
    public void IndexDefinitionTakesTheColumnNumber() =>
        Assert.Equal(
            "SELECT (SELECT def FROM temp.pg_sqlite_indexdef WHERE defoid = (i.indexrelid) AND defcolno = ( 0)) FROM pg_index i",
            PgRewriter.Rewrite("SELECT pg_catalog.pg_get_indexdef(i.indexrelid, 0, true) FROM pg_catalog.pg_index i"));

    [Fact]
    public void EqualsAnyBecomesIn() =>
        Assert.Equal("SELECT 1 FROM pg_roles WHERE oid IN (SELECT 1)", PgRewriter.Rewrite("SELECT 1 FROM pg_catalog.pg_roles WHERE oid = any (SELECT 1)"));

    [Fact]
    public void TrueIsTypedOnlyInCatalogQueries()
    {
        Assert.Equal("SELECT (SELECT b FROM temp.pg_bool WHERE b = 1) AS sametable FROM pg_constraint",
            PgRewriter.Rewrite("SELECT true AS sametable FROM pg_catalog.pg_constraint"));
        Assert.Equal("SELECT true, $1", PgRewriter.Rewrite("SELECT true, $1").Replace("?1", "$1", StringComparison.Ordinal));
    }

    [Fact]
    public void PartitionAncestorsOfARelationAreItself() =>
        Assert.Contains("(SELECT t.tgrelid AS relid, 1 AS depth) AS a",
            PgRewriter.Rewrite("SELECT 1 FROM pg_catalog.pg_trigger AS u, pg_catalog.pg_partition_ancestors(t.tgrelid) WITH ORDINALITY AS a(relid, depth)"),
            StringComparison.Ordinal);
}
