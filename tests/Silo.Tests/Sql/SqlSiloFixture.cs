using IceFire.Silo.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace IceFire.Silo.Tests.Sql;

/// <summary>One real silo for the SQL tests: requirepass on the default tenant, and tenants alpha and beta.</summary>
public sealed class SqlSiloFixture : IAsyncLifetime
{
    public const string DefaultPassword = "s3cret";
    private readonly TempDirectory _temp = new();
    private SiloProcess? _silo;

    internal SiloProcess Silo => _silo ?? throw new InvalidOperationException("not started");

    public int Port => Silo.SqlPort;

    public string ConnectionString(string user = "default", string? password = null, string? database = null) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = user,
            Password = password ?? (user == "default" ? DefaultPassword : user + "-pw"),
            Database = database ?? user,
            Timeout = 30,
            CommandTimeout = 60,
        }.ConnectionString;

    public async Task<NpgsqlConnection> OpenAsync(string user = "default")
    {
        var connection = new NpgsqlConnection(ConnectionString(user));
        await connection.OpenAsync();
        return connection;
    }

    public async Task InitializeAsync()
    {
        _silo = await SiloProcess.StartWithAdminAsync(_temp.Sub("data"), "--requirepass", DefaultPassword);
        using var admin = new AdminClient(_silo, null);
        await admin.CreateOrFailAsync("alpha", "alpha-pw");
        await admin.CreateOrFailAsync("beta", "beta-pw");
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
        _temp.Dispose();
    }
}
