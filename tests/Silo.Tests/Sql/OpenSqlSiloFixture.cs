using IceFire.Silo.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace IceFire.Silo.Tests.Sql;

/// <summary>
/// One real silo whose default tenant needs no password (so <see cref="PgWire"/> can log in), and a tenant
/// <see cref="Tenant"/> for Npgsql.
/// </summary>
public sealed class OpenSqlSiloFixture : IAsyncLifetime
{
    public const string Tenant = "npg";
    private readonly TempDirectory _temp = new();
    private SiloProcess? _silo;

    internal SiloProcess Silo => _silo ?? throw new InvalidOperationException("not started");

    public int Port => Silo.SqlPort;

    public string ConnectionString(string user = Tenant) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = user,
            Password = user == "default" ? null : user + "-pw",
            Database = user,
            Timeout = 30,
            CommandTimeout = 60,
        }.ConnectionString;

    public async Task<NpgsqlConnection> OpenAsync(string user = Tenant)
    {
        var connection = new NpgsqlConnection(ConnectionString(user));
        await connection.OpenAsync();
        return connection;
    }

    internal Task<PgWire> WireAsync() => PgWire.ConnectAsync(Port);

    public async Task InitializeAsync()
    {
        _silo = await SiloProcess.StartWithAdminAsync(_temp.Sub("data"));
        using var admin = new AdminClient(_silo, null);
        await admin.CreateOrFailAsync(Tenant, Tenant + "-pw");
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
