using IceFire.Grains.Interfaces.Sql;
using IceFire.Grains.Tests.Tenants;
using Xunit;
using static IceFire.Grains.Tests.Replication.ReplicatedSqlTests;

namespace IceFire.Grains.Tests.Sql;

/// <summary>A cancel request that arrives when no statement runs is ignored, as PostgreSQL ignores it.</summary>
public sealed class SqlCancelTests
{
    [Fact]
    public async Task A_cancel_between_statements_with_a_portal_open_stops_nothing()
    {
        // A tenant as a single silo runs it: its replica alone in its group.
        using var harness = new TenantHarness();
        await using var session = await harness.Grain.Sql.OpenSessionAsync(new SqlSessionOptions(), CancellationToken.None);
        await RunAsync(session, "CREATE TABLE t(id INTEGER PRIMARY KEY)");
        await RunAsync(session, "INSERT INTO t VALUES (1), (2), (3)");
        await RunAsync(session, "BEGIN");
        var prepared = session.Prepare("SELECT id FROM t ORDER BY id");
        using var statement = prepared.Statement!;
        var executed = await session.ExecuteAsync(statement, ReadOnlyMemory<SqlValue>.Empty, CancellationToken.None);
        Assert.Null(executed.Error);
        await using var portal = executed.Cursor!;
        var first = await portal.FetchAsync(1, new CountingSink(), CancellationToken.None);
        Assert.True(first.Suspended, "the portal stays open after its first row");

        // The query the cancel was sent for has already finished.
        session.Cancel();

        Assert.Equal("SELECT 1", await RunAsync(session, "SELECT 1"));
        var rest = await portal.FetchAsync(0, new CountingSink(), CancellationToken.None);
        Assert.Null(rest.Error);
        Assert.Equal("COMMIT", await RunAsync(session, "COMMIT"));
    }

    private sealed class CountingSink : ISqlRowSink
    {
        public int Rows { get; private set; }

        public void WriteRow(ReadOnlySpan<SqlValue> row) => Rows++;
    }
}
