using IceFire.Grains.Interfaces.Sql;
using IceFire.Grains.Tests.Support.Silos;

namespace IceFire.Grains.Tests.Cluster.Sql;

/// <summary>Collects fetched rows as text (null for NULL).</summary>
internal sealed class RowCollector : ISqlRowSink
{
    public List<string?[]> Rows { get; } = [];

    public void WriteRow(ReadOnlySpan<SqlValue> row)
    {
        var texts = new string?[row.Length];
        for (var i = 0; i < row.Length; i++)
        {
            texts[i] = row[i].AsText();
        }
        Rows.Add(texts);
    }
}

/// <summary>Opens sessions as a silo's SQL gateway does, and runs whole statements on them as a simple-query client would.</summary>
internal static class SqlSessions
{
    /// <summary>Opens a session on tenant <paramref name="tenant"/> for a client connected to node <paramref name="node"/>'s silo.</summary>
    public static async Task<ISqlSession> ConnectAsync(this SiloCluster cluster, ulong node, string tenant, SqlSessionOptions? options = null)
    {
        var database = cluster[node].Node.SqlTenants.Find(tenant) ?? throw new InvalidOperationException($"node {node} knows no tenant {tenant}");
        return await database.OpenSessionAsync(options ?? new SqlSessionOptions(), CancellationToken.None);
    }

    public sealed record Outcome(List<string?[]> Rows, SqlFetchResult Result, SqlError? Error)
    {
        public string? Scalar => Rows.Count > 0 ? Rows[0][0] : null;
    }

    public static async Task<Outcome> RunAsync(this ISqlSession session, string sql, params SqlValue[] parameters)
    {
        var prepared = session.Prepare(sql);
        if (prepared.Error is { } prepareError)
        {
            return new Outcome([], default, prepareError);
        }
        using var statement = prepared.Statement!;
        return await session.RunAsync(statement, parameters);
    }

    public static async Task<Outcome> RunAsync(this ISqlSession session, ISqlStatement statement, params SqlValue[] parameters)
    {
        var executed = await session.ExecuteAsync(statement, parameters, CancellationToken.None);
        if (executed.Error is { } error)
        {
            return new Outcome([], default, error);
        }
        await using var cursor = executed.Cursor!;
        var rows = new RowCollector();
        var result = await cursor.FetchAsync(0, rows, CancellationToken.None);
        return new Outcome(rows.Rows, result, result.Error);
    }
}
