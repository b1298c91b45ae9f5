using Microsoft.AspNetCore.Connections;

namespace IceFire.Gateway.Sql;

/// <summary>Kestrel's entry point for the PostgreSQL protocol: one <see cref="PgConnection"/> per accepted socket.</summary>
public sealed class SqlConnectionHandler(SqlServer server) : ConnectionHandler
{
    public override Task OnConnectedAsync(ConnectionContext connection) =>
        new PgConnection(server, connection).RunAsync(server.Stopping);
}
